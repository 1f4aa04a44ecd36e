#include "auth/token_limits.hpp"

#include <algorithm>

#include "auth/request_rate_limits.hpp"
#include "core/fnv1a.hpp"

namespace sluice::auth {

TokenLimits::TokenLimits(const core::RateLimitConfig& config, Limiter& limiter)
    : limiter_(limiter), default_per_minute_(config.key_tokens_per_minute) {}

LimitCheck TokenLimits::check_of(const gateway::TokenReservation& reservation) {
  return LimitCheck{reservation.bucket,
                    rate_per_minute(reservation.per_minute, core::Millis{60'000}),
                    reservation.reserved};
}

gateway::TokenReservation TokenLimits::reserve(const gateway::Caller& caller,
                                               std::string_view model, long long estimate,
                                               int64_t now_ns) {
  gateway::TokenReservation reservation;
  // A virtual key by its id (its name label is "virtual" for all of them), a config key by name.
  const std::string_view who = caller.key_id.empty() ? caller.key_name : caller.key_id;
  const int64_t per_minute =
      caller.tokens_per_minute > 0 ? caller.tokens_per_minute : default_per_minute_;
  if (who.empty() || per_minute <= 0 || estimate <= 0) return reservation;
  reservation.per_minute = per_minute;
  reservation.reserved = std::min<long long>(estimate, per_minute);
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  reservation.bucket =
      core::fnv1a(model, core::fnv1a("\n", core::fnv1a(who, core::fnv1a("tokens:"))));
  const LimitCheck check = check_of(reservation);
  LimitState state;
  reservation.admitted = limiter_.acquire(std::span(&check, 1), std::span(&state, 1), now_ns);
  reservation.report = {per_minute, state.remaining, state.reset_ns};
  if (!reservation.admitted) {
    reservation.retry_after_ns = state.retry_after_ns;
    refused_.fetch_add(1, std::memory_order_relaxed);
    reservation.bucket = 0;  // nothing to settle
  }
  return reservation;
}

void TokenLimits::settle(const gateway::TokenReservation& reservation, long long used,
                         int64_t now_ns) {
  if (reservation.bucket == 0) return;
  limiter_.adjust(check_of(reservation), std::max<long long>(used, 0) - reservation.reserved,
                  now_ns);
}

}  // namespace sluice::auth
