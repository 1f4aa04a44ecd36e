#pragma once

#include <cstdint>
#include <span>

#include "auth/gcra.hpp"

namespace sluice::auth {

// One rate to charge: the limited thing's identity (a 64-bit digest of what it limits, e.g.
// "key:<id>"), its rate and what this request costs.
struct LimitCheck {
  uint64_t key = 0;
  Rate rate;
  int64_t cost = 1;
};

// What a check decided, for headers and for the 429.
struct LimitState {
  bool allowed = true;
  int64_t remaining = 0;
  int64_t reset_ns = 0;
  int64_t retry_after_ns = 0;  // refused only
};

// Where rate limits are kept: in this process (LocalLimiter) or, for replicas sharing limits,
// a store such as Redis, where each call is one round trip (one script over every key given).
// Called on event loops: must not block for long.
class Limiter {
 public:
  virtual ~Limiter() = default;
  // Charges every check at `now_ns` (a steady clock's nanoseconds: the caller has read the time
  // already), or none of them when any is refused (all-or-nothing, so a request that one limit
  // refuses costs nothing under the others). Fills `states` (same size as `checks`); returns
  // whether the request was admitted.
  virtual bool acquire(std::span<const LimitCheck> checks, std::span<LimitState> states,
                       int64_t now_ns) = 0;
  // Charges `delta` more units to an admitted check (refunds when negative): settles a
  // reservation made from an estimate once the real cost is known.
  virtual void adjust(const LimitCheck& check, int64_t delta, int64_t now_ns) = 0;
};

}  // namespace sluice::auth
