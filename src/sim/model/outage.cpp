#include "sim/model/outage.hpp"

namespace sluice::sim {

const OutageConfig* outage_met(const std::vector<OutageConfig>& outages, double seconds,
                               Random& random) {
  for (const OutageConfig& outage : outages) {
    if (!(seconds >= outage.from.count() && seconds < outage.to.count())) continue;
    if (outage.share < 1 && random.uniform() >= outage.share) return nullptr;
    return &outage;
  }
  return nullptr;
}

}  // namespace sluice::sim
