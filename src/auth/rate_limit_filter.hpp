#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/limiter.hpp"
#include "core/config.hpp"
#include "http/filter.hpp"

namespace sluice::auth {

// A limit of `per_minute` with the configured burst (`burst` of the rate at once, >= 1).
Rate rate_per_minute(int64_t per_minute, core::Millis burst);

// Request rate limits (GCRA) per API key, per client address and per route, checked together in
// one Limiter call after authentication. Key limits come from the key (its requests_per_minute,
// else rate_limits.key_requests_per_minute); address limits apply to the API surface (/v1,
// /query) by the connection's peer address; route limits to the route templates configured.
// Every limited answer carries x-ratelimit-{limit,remaining,reset}-requests for the limit closest
// to refusing; a refusal is a 429 in OpenAI's shape with Retry-After. Counts each request under
// one result: allowed, not_limited, limited_key, limited_address, limited_route.
class RateLimitFilter final : public http::SyncFilter {
 public:
  enum class Scope : uint8_t { key, address, route };
  static constexpr std::size_t kScopes = 3;

  // `limiter` must outlive the filter.
  RateLimitFilter(const core::RateLimitConfig& config, Limiter& limiter);

  http::FilterResult decide(http::Exchange& exchange) override;

  // Requests refused under `scope` so far.
  uint64_t refused(Scope scope) const;

 private:
  struct RouteLimit {
    std::string route;
    uint64_t key;
    Rate rate;
  };
  const RouteLimit* route_limit(std::string_view route) const;

  Limiter& limiter_;
  core::Millis burst_;
  int64_t key_per_minute_;
  Rate address_rate_;
  std::vector<RouteLimit> routes_;
};

}  // namespace sluice::auth
