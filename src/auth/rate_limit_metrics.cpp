#include "auth/rate_limit_metrics.hpp"

namespace sluice::auth {

void register_rate_limit_metrics(ops::Registry& registry, const RequestRateLimits& requests,
                                 const TokenLimits& tokens) {
  registry.add_collector([&requests, &tokens](ops::MetricSink& out) {
    constexpr std::string_view kName = "sluice_ratelimited_total";
    ops::write_family_header(out, kName, "Requests and model calls refused by a rate limit.",
                             "counter");
    using Scope = RequestRateLimits::Scope;
    const std::pair<std::string_view, uint64_t> counts[] = {
        {"key", requests.refused(Scope::key)},
        {"address", requests.refused(Scope::address)},
        {"route", requests.refused(Scope::route)},
        {"tokens", tokens.refused()}};
    for (const auto& [limit, value] : counts)
      ops::write_sample(out, kName, {{"limit", limit}}, static_cast<double>(value));
  });
}

}  // namespace sluice::auth
