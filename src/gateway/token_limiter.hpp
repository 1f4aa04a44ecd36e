#pragma once

#include <cstdint>
#include <string_view>

#include "gateway/types.hpp"

namespace sluice::gateway {

struct Caller;

// A call's share of a tokens-per-minute limit, taken from an estimate before the call.
struct TokenReservation {
  bool admitted = true;
  uint64_t bucket = 0;  // the limited (key, model); 0 = no limit applied
  long long per_minute = 0;
  long long reserved = 0;
  long long retry_after_ns = 0;  // refused only
  TokenLimitReport report;
};

// Tokens per minute per caller and model: reserve() before a call from an estimate, settle()
// after it with the tokens it used (the difference is charged or refunded). Times are a steady
// clock's nanoseconds, read by the caller. Called on event loops: must not block.
class TokenLimiter {
 public:
  virtual ~TokenLimiter() = default;
  virtual TokenReservation reserve(const Caller& caller, std::string_view model, long long estimate,
                                   int64_t now_ns) = 0;
  virtual void settle(const TokenReservation& reservation, long long used, int64_t now_ns) = 0;
};

}  // namespace sluice::gateway
