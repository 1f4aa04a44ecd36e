#include "auth/rate_limit_filter.hpp"

#include <algorithm>
#include <array>

#include "auth/address_key.hpp"
#include "auth/api_key_filter.hpp"
#include "auth/rate_limit_headers.hpp"
#include "core/fnv1a.hpp"

namespace sluice::auth {
namespace {

namespace result {
enum : std::size_t { allowed, not_limited, limited_key, limited_address, limited_route };
}  // namespace result

constexpr std::string_view kScopeNames[] = {"key", "address", "route"};

// Digests of what each scope limits, prefixed so that a key named like an address never shares
// its limit.
uint64_t key_digest(const core::Principal& principal) {
  return principal.key_id.empty() ? core::fnv1a(principal.name, core::fnv1a("config-key:"))
                                  : core::fnv1a(principal.key_id, core::fnv1a("virtual-key:"));
}

int64_t ceil_ms(int64_t ns) { return (ns + 999'999) / 1'000'000; }

Error refusal(RateLimitFilter::Scope scope, const Rate& rate, int64_t retry_after_ns) {
  const std::string seconds = openai_duration(retry_after_ns);
  std::string message = "Rate limit reached for requests per minute (";
  message += kScopeNames[static_cast<std::size_t>(scope)];
  message += "): limit " + std::to_string(rate.limit) + ". Please try again in " + seconds + ".";
  return make_error(Errc::rate_limited, std::move(message), {}, "rate_limit_exceeded");
}

}  // namespace

Rate rate_per_minute(int64_t per_minute, core::Millis burst) {
  return Rate::per_period(per_minute, 60'000'000'000, per_minute * burst.count() / 60'000);
}

RateLimitFilter::RateLimitFilter(const core::RateLimitConfig& config, Limiter& limiter)
    : SyncFilter("rate_limit",
                 {"allowed", "not_limited", "limited_key", "limited_address", "limited_route"}),
      limiter_(limiter),
      burst_(config.burst),
      key_per_minute_(config.key_requests_per_minute),
      address_rate_(rate_per_minute(config.address_requests_per_minute, config.burst)) {
  for (const core::RouteRateLimitConfig& route : config.routes)
    if (route.requests_per_minute > 0)
      routes_.push_back({route.route, core::fnv1a(route.route, core::fnv1a("route:")),
                         rate_per_minute(route.requests_per_minute, config.burst)});
}

const RateLimitFilter::RouteLimit* RateLimitFilter::route_limit(std::string_view route) const {
  for (const RouteLimit& limit : routes_)
    if (limit.route == route) return &limit;
  return nullptr;
}

uint64_t RateLimitFilter::refused(Scope scope) const {
  return stats().value(result::limited_key + static_cast<std::size_t>(scope));
}

http::FilterResult RateLimitFilter::decide(http::Exchange& exchange) {
  const http::Request& request = exchange.request;
  // At most one check per scope, on the stack: a request allocates nothing here.
  std::array<LimitCheck, kScopes> checks;
  std::array<Scope, kScopes> scopes;
  std::size_t count_checks = 0;
  const auto add = [&](Scope scope, uint64_t key, const Rate& rate) {
    checks[count_checks] = LimitCheck{key, rate, 1};
    scopes[count_checks++] = scope;
  };
  if (!request.is_cors_preflight()) {
    if (const core::Principal* principal = exchange.principal.get()) {
      const int64_t per_minute =
          principal->requests_per_minute > 0 ? principal->requests_per_minute : key_per_minute_;
      if (per_minute > 0)
        add(Scope::key, key_digest(*principal), rate_per_minute(per_minute, burst_));
    }
    if (address_rate_.limit > 0 &&
        (requires_api_key(exchange.route) || requires_api_key(request.path)))
      add(Scope::address, address_key(exchange.client_address, "address:"), address_rate_);
    if (const RouteLimit* limit = route_limit(exchange.route))
      add(Scope::route, limit->key, limit->rate);
  }
  if (count_checks == 0) {
    count(result::not_limited);
    return http::FilterResult::next;
  }
  std::array<LimitState, kScopes> states;
  // Admitted by the request's arrival: no clock read of its own.
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(exchange.started.time_since_epoch())
          .count();
  const bool admitted = limiter_.acquire(std::span(checks.data(), count_checks),
                                         std::span(states.data(), count_checks), now_ns);
  // The headers speak of the refusing limit, else of the one with the fewest requests left.
  std::size_t shown = 0;
  for (std::size_t i = 0; i < count_checks; ++i) {
    if (!states[i].allowed) {
      shown = i;
      break;
    }
    if (states[i].remaining < states[shown].remaining) shown = i;
  }
  http::Response& response = exchange.response;
  add_rate_limit_headers(response, RateLimitKind::requests, checks[shown].rate.limit,
                         states[shown].remaining, states[shown].reset_ns);
  if (admitted) {
    count(result::allowed);
    return http::FilterResult::next;
  }
  const Scope scope = scopes[shown];
  count(result::limited_key + static_cast<std::size_t>(scope));
  response.set_error(refusal(scope, checks[shown].rate, states[shown].retry_after_ns));
  add_retry_after(response, ceil_ms(states[shown].retry_after_ns));
  exchange.log_fields += ",\"rate_limited\":\"";
  exchange.log_fields += kScopeNames[static_cast<std::size_t>(scope)];
  exchange.log_fields += '"';
  return http::FilterResult::responded;
}

}  // namespace sluice::auth
