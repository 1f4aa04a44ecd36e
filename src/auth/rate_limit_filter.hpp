#pragma once

#include <cstdint>

#include "auth/request_rate_limits.hpp"
#include "core/config.hpp"
#include "http/filter.hpp"

namespace sluice::auth {

// Request rate limits (GCRA) per API key, per client address and per route, checked together in
// one Limiter call after authentication (RequestRateLimits decides). Address limits apply to the
// API surface (/v1, /query) by the connection's peer address. Every limited answer carries
// x-ratelimit-{limit,remaining,reset}-requests for the limit closest to refusing; a refusal is a
// 429 in OpenAI's shape with Retry-After. Counts each request under one result: allowed,
// not_limited, limited_key, limited_address, limited_route.
class RateLimitFilter final : public http::SyncFilter {
 public:
  using Scope = RequestRateLimits::Scope;
  static constexpr std::size_t kScopes = RequestRateLimits::kScopes;

  // `limiter` must outlive the filter.
  RateLimitFilter(const core::RateLimitConfig& config, Limiter& limiter);

  http::FilterResult decide(http::Exchange& exchange) override;

  // Requests refused under `scope` so far.
  uint64_t refused(Scope scope) const { return limits_.refused(scope); }
  const RequestRateLimits& limits() const { return limits_; }

 private:
  RequestRateLimits limits_;
};

}  // namespace sluice::auth
