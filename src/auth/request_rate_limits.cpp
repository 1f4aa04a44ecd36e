#include "auth/request_rate_limits.hpp"

#include "auth/rate_limit_headers.hpp"
#include "core/fnv1a.hpp"

namespace sluice::auth {
namespace {

// Digests of what each scope limits, prefixed so that a key named like an address never shares
// its limit.
uint64_t key_digest(const core::Principal& principal) {
  return principal.key_id.empty() ? core::fnv1a(principal.name, core::fnv1a("config-key:"))
                                  : core::fnv1a(principal.key_id, core::fnv1a("virtual-key:"));
}

constexpr std::string_view kScopeNames[] = {"key", "address", "route"};

}  // namespace

std::string_view RequestRateLimits::scope_name(Scope scope) {
  return kScopeNames[static_cast<std::size_t>(scope)];
}

Error RequestRateLimits::refusal(const Decision& decision) {
  const std::string seconds = openai_duration(decision.state.retry_after_ns);
  std::string message = "Rate limit reached for requests per minute (";
  message += scope_name(decision.scope);
  message +=
      "): limit " + std::to_string(decision.rate.limit) + ". Please try again in " + seconds + ".";
  return make_error(Errc::rate_limited, std::move(message), {}, "rate_limit_exceeded");
}

Rate rate_per_minute(int64_t per_minute, core::Millis burst) {
  return Rate::per_period(per_minute, 60'000'000'000, per_minute * burst.count() / 60'000);
}

RequestRateLimits::RequestRateLimits(const core::RateLimitConfig& config, Limiter& limiter)
    : limiter_(limiter),
      burst_(config.burst),
      key_per_minute_(config.key_requests_per_minute),
      address_rate_(rate_per_minute(config.address_requests_per_minute, config.burst)) {
  for (const core::RouteRateLimitConfig& route : config.routes)
    if (route.requests_per_minute > 0)
      routes_.push_back({route.route, core::fnv1a(route.route, core::fnv1a("route:")),
                         rate_per_minute(route.requests_per_minute, config.burst)});
}

const RequestRateLimits::RouteLimit* RequestRateLimits::route_limit(std::string_view route) const {
  for (const RouteLimit& limit : routes_)
    if (limit.route == route) return &limit;
  return nullptr;
}

RequestRateLimits::Decision RequestRateLimits::check(const core::Principal* principal,
                                                     std::optional<uint64_t> address,
                                                     std::string_view route, int64_t now_ns) {
  // At most one check per scope, on the stack: a request allocates nothing here.
  std::array<LimitCheck, kScopes> checks;
  std::array<Scope, kScopes> scopes;
  std::size_t count = 0;
  const auto add = [&](Scope scope, uint64_t key, const Rate& rate) {
    checks[count] = LimitCheck{key, rate, 1};
    scopes[count++] = scope;
  };
  if (principal) {
    const int64_t per_minute =
        principal->requests_per_minute > 0 ? principal->requests_per_minute : key_per_minute_;
    if (per_minute > 0)
      add(Scope::key, key_digest(*principal), rate_per_minute(per_minute, burst_));
  }
  if (address && limits_addresses()) add(Scope::address, *address, address_rate_);
  if (const RouteLimit* limit = route_limit(route)) add(Scope::route, limit->key, limit->rate);
  Decision decision;
  decision.checks = count;
  if (count == 0) return decision;
  std::array<LimitState, kScopes> states;
  decision.admitted =
      limiter_.acquire(std::span(checks.data(), count), std::span(states.data(), count), now_ns);
  std::size_t shown = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!states[i].allowed) {
      shown = i;
      break;
    }
    if (states[i].remaining < states[shown].remaining) shown = i;
  }
  decision.scope = scopes[shown];
  decision.rate = checks[shown].rate;
  decision.state = states[shown];
  if (!decision.admitted)
    refused_[static_cast<std::size_t>(decision.scope)].fetch_add(1, std::memory_order_relaxed);
  return decision;
}

}  // namespace sluice::auth
