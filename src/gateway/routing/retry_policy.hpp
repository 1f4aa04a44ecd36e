#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/config.hpp"

namespace sluice::gateway {

// A Retry-After header value: delta-seconds ("120"; a decimal such as "1.5" is accepted too) or
// an HTTP-date in any of the three forms RFC 9110 requires recipients to read. A date in the past
// gives 0. nullopt when the value is malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view header, std::chrono::system_clock::time_point now);

// The retry-after-ms header OpenAI and Azure send: a non-negative number of milliseconds,
// possibly fractional (rounded up). nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view header);

// The retry schedule of one request. Not thread-safe: a request runs on one event loop.
class RetryBudget {
 public:
  // Jitter comes from a generator seeded with `seed` (the gateway draws it per request from its
  // decision generator), so that a schedule replays.
  RetryBudget(const core::RetryConfig& config, std::uint64_t seed);

  // How long to wait before the next attempt, after attempt `attempt_number` (1 = the first try)
  // failed; `retry_after` is the upstream's demand, if it made one. The backoff is "full jitter":
  // uniform in [0, min(max_backoff, base_backoff * 2^(attempt_number-1))], raised to retry_after
  // and lowered to what is left of the budget. nullopt when retry_after alone exceeds what is left
  // of the budget. Each returned delay is charged to the budget. (How many attempts a request
  // makes is the Itinerary's business, not this schedule's.)
  std::optional<std::chrono::milliseconds> next_delay(
      int attempt_number, std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

  std::chrono::milliseconds waited() const { return waited_; }
  std::chrono::milliseconds remaining() const { return budget_ - waited_; }

 private:
  std::uint64_t next_random();

  const std::chrono::milliseconds base_backoff_;
  const std::chrono::milliseconds max_backoff_;
  const std::chrono::milliseconds budget_;
  std::chrono::milliseconds waited_{0};
  std::uint64_t rng_state_;  // splitmix64: 8 bytes per request instead of mt19937's 5 KB
};

}  // namespace sluice::gateway
