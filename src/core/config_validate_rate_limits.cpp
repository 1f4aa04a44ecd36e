// Checks on the rate_limits section and the per-key limits of auth.api_keys.

#include <set>
#include <string>

#include "core/config_validate.hpp"

namespace sluice::core::detail {
namespace {

// Per minute: a billion is past any real limit and keeps the GCRA arithmetic in range.
constexpr long long kMaxPerMinute = 1'000'000'000;

void check_per_minute(Reporter& report, const std::string& path, long long value) {
  if (value < 0 || value > kMaxPerMinute)
    report.add(
        path,
        "must be between 0 and " + std::to_string(kMaxPerMinute) + ", got " + std::to_string(value),
        "a number per minute, e.g. 600; 0 for no limit");
}

}  // namespace

void validate_rate_limits(const Config& c, Reporter& report) {
  const RateLimitConfig& r = c.rate_limits;
  check_per_minute(report, "rate_limits.key_requests_per_minute", r.key_requests_per_minute);
  check_per_minute(report, "rate_limits.key_tokens_per_minute", r.key_tokens_per_minute);
  check_per_minute(report, "rate_limits.address_requests_per_minute",
                   r.address_requests_per_minute);
  std::set<std::string> routes;
  for (std::size_t i = 0; i < r.routes.size(); ++i) {
    const std::string path = "rate_limits.routes." + std::to_string(i);
    const RouteRateLimitConfig& route = r.routes[i];
    if (!route.route.starts_with('/'))
      report.add(path + ".route",
                 "must be a route template starting with '/', got '" + route.route + "'",
                 "e.g. /v1/chat/completions or /v1/collections/{c}/documents");
    else if (!routes.insert(route.route).second)
      report.add(path + ".route", "'" + route.route + "' is limited twice",
                 "give each route one entry");
    check_per_minute(report, path + ".requests_per_minute", route.requests_per_minute);
  }
  if (r.burst < Millis{1} || r.burst > Millis{60'000})
    report.add("rate_limits.burst", "must be between 1ms and 1m",
               "1m lets a whole minute's limit be spent at once, 1s one second's worth");
  if (r.default_completion_tokens < 1 || r.default_completion_tokens > 1'000'000)
    report.add("rate_limits.default_completion_tokens",
               "must be between 1 and 1000000, got " + std::to_string(r.default_completion_tokens),
               "e.g. 1024");
  if (r.max_tracked < 64 || r.max_tracked > 10'000'000)
    report.add("rate_limits.max_tracked",
               "must be between 64 and 10000000, got " + std::to_string(r.max_tracked),
               "e.g. 100000");
  for (std::size_t i = 0; i < c.auth.api_keys.size(); ++i) {
    const std::string path = "auth.api_keys." + std::to_string(i);
    check_per_minute(report, path + ".requests_per_minute", c.auth.api_keys[i].requests_per_minute);
    check_per_minute(report, path + ".tokens_per_minute", c.auth.api_keys[i].tokens_per_minute);
  }
}

}  // namespace sluice::core::detail
