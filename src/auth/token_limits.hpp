#pragma once

#include <atomic>
#include <cstdint>

#include "auth/limiter.hpp"
#include "core/config.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/token_limiter.hpp"

namespace sluice::auth {

// Tokens per minute per API key and model (the name the client asked for), on a Limiter. The
// limit is the key's own tokens_per_minute, else rate_limits.key_tokens_per_minute; callers
// without a key are not limited. A whole minute's tokens may be spent at once (one call may need
// a large share), and a reservation is at most that: an estimate above the limit waits for a
// full minute's budget instead of being refused forever, and settles at its real use.
class TokenLimits final : public gateway::TokenLimiter {
 public:
  // `limiter` must outlive this.
  TokenLimits(const core::RateLimitConfig& config, Limiter& limiter);

  gateway::TokenReservation reserve(const gateway::Caller& caller, std::string_view model,
                                    long long estimate, int64_t now_ns) override;
  void settle(const gateway::TokenReservation& reservation, long long used,
              int64_t now_ns) override;

  // Calls refused so far.
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  static LimitCheck check_of(const gateway::TokenReservation& reservation);

  Limiter& limiter_;
  int64_t default_per_minute_;
  std::atomic<uint64_t> refused_{0};
};

}  // namespace sluice::auth
