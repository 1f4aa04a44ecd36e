#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

const UpstreamConfig* upstream_for(const std::vector<UpstreamConfig>& entries,
                                   const std::string& provider, const std::string& model) {
  const UpstreamConfig* any_model = nullptr;
  for (const UpstreamConfig& u : entries) {
    if (u.provider != provider) continue;
    if (u.model == model) return &u;
    if (u.model.empty()) any_model = &u;
  }
  return any_model;
}

}  // namespace sluice::sim
