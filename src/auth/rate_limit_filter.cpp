#include "auth/rate_limit_filter.hpp"

#include <optional>

#include "auth/address_key.hpp"
#include "auth/api_key_filter.hpp"
#include "auth/rate_limit_headers.hpp"

namespace sluice::auth {
namespace {

namespace result {
enum : std::size_t { allowed, not_limited, limited_key, limited_address, limited_route };
}  // namespace result

int64_t ceil_ms(int64_t ns) { return (ns + 999'999) / 1'000'000; }

}  // namespace

RateLimitFilter::RateLimitFilter(const core::RateLimitConfig& config, Limiter& limiter)
    : SyncFilter("rate_limit",
                 {"allowed", "not_limited", "limited_key", "limited_address", "limited_route"}),
      limits_(config, limiter) {}

http::FilterResult RateLimitFilter::decide(http::Exchange& exchange) {
  const http::Request& request = exchange.request;
  RequestRateLimits::Decision decision;
  if (!request.is_cors_preflight()) {
    std::optional<uint64_t> address;
    if (limits_.limits_addresses() &&
        (requires_api_key(exchange.route) || requires_api_key(request.path)))
      address = address_key(exchange.client_address, "address:");
    // Admitted by the request's arrival: no clock read of its own.
    const int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(exchange.started.time_since_epoch())
            .count();
    decision = limits_.check(exchange.principal.get(), address, exchange.route, now_ns);
  }
  if (decision.checks == 0) {
    count(result::not_limited);
    return http::FilterResult::next;
  }
  http::Response& response = exchange.response;
  add_rate_limit_headers(response, RateLimitKind::requests, decision.rate.limit,
                         decision.state.remaining, decision.state.reset_ns);
  if (decision.admitted) {
    count(result::allowed);
    return http::FilterResult::next;
  }
  const auto scope = static_cast<std::size_t>(decision.scope);
  count(result::limited_key + scope);
  response.set_error(RequestRateLimits::refusal(decision));
  add_retry_after(response, ceil_ms(decision.state.retry_after_ns));
  exchange.log_fields += ",\"rate_limited\":\"";
  exchange.log_fields += RequestRateLimits::scope_name(decision.scope);
  exchange.log_fields += '"';
  return http::FilterResult::responded;
}

}  // namespace sluice::auth
