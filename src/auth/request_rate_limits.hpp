#pragma once
// Which request-rate limits a request is charged to, and what they decided: the policy of the
// rate limit filter without its HTTP side, so that `sluice simulate` charges simulated requests
// exactly as the server charges real ones.

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/limiter.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/principal.hpp"

namespace sluice::auth {

// A limit of `per_minute` with the configured burst (`burst` of the rate at once, >= 1).
Rate rate_per_minute(int64_t per_minute, core::Millis burst);

// Per API key (its requests_per_minute, else rate_limits.key_requests_per_minute), per client
// address (rate_limits.address_requests_per_minute) and per route template (rate_limits.routes),
// charged together in one Limiter call: all of them or none.
class RequestRateLimits {
 public:
  enum class Scope : uint8_t { key, address, route };
  static constexpr std::size_t kScopes = 3;

  // What the limits decided for one request. `checks` 0: no limit applies to it.
  struct Decision {
    std::size_t checks = 0;
    bool admitted = true;
    // The limit the answer's headers speak of: the refusing one, else the one with the fewest
    // requests left.
    Scope scope = Scope::key;
    Rate rate;
    LimitState state;
  };

  // `limiter` must outlive this.
  RequestRateLimits(const core::RateLimitConfig& config, Limiter& limiter);

  // Whether addresses are limited at all (the caller then passes the address' identity for
  // requests on the API surface).
  bool limits_addresses() const { return address_rate_.limit > 0; }

  // Charges a request by `principal` (null: none), from the client address whose identity is
  // `address` (auth::address_key; none: not limited by address), on route template `route`,
  // admitted by its arrival at `now_ns` (a steady clock's nanoseconds: the caller's clock, real
  // or simulated). Counts refusals by scope.
  Decision check(const core::Principal* principal, std::optional<uint64_t> address,
                 std::string_view route, int64_t now_ns);

  // The 429 a refused request is answered with (OpenAI's wording, the refusing limit's scope and
  // rate, when to try again): the rate limit filter's answer, and the status `sluice simulate`
  // records for it.
  static Error refusal(const Decision& decision);
  // "key", "address" or "route": as the refusal, the access log and the metrics name it.
  static std::string_view scope_name(Scope scope);

  // Requests refused under `scope` so far.
  uint64_t refused(Scope scope) const {
    return refused_[static_cast<std::size_t>(scope)].load(std::memory_order_relaxed);
  }

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
  std::array<std::atomic<uint64_t>, kScopes> refused_{};
};

}  // namespace sluice::auth
