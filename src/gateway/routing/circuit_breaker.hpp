#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string_view>

#include "core/attempt_outcome.hpp"
#include "core/config.hpp"

namespace sluice::gateway {

// Stops sending traffic to a deployment that keeps failing, and lets a few probes through after a
// cooldown to find out whether it recovered. One instance per deployment, shared by every event
// loop: all methods are thread-safe. Time is passed in so that tests control it.
//
// Outcomes are not tied to the call that admitted them: a failure reported while half-open
// reopens the circuit even if its request was admitted while closed. Every request that allow()
// admitted reports exactly one of on_success, on_failure or release, whatever ends it; report()
// picks the right one for an attempt outcome.
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  explicit CircuitBreaker(const core::CircuitBreakerConfig& config);

  // Whether a request may be sent now. Closed: always. Open: no, until the cooldown has passed;
  // then the circuit turns half-open. Half-open: true for at most half_open_requests probes.
  bool allow(Clock::time_point now);

  // What a report did to the circuit, for logs and counters.
  enum class Transition { none, opened, closed };

  // A request admitted by allow() succeeded: closes a half-open circuit and clears the count of
  // consecutive failures.
  Transition on_success(Clock::time_point now);

  // A request admitted by allow() failed: opens the circuit after failure_threshold consecutive
  // failures while closed, or at once while half-open (restarting the cooldown).
  Transition on_failure(Clock::time_point now);

  // A request admitted by allow() ended without a verdict on the deployment (cancelled, the
  // client left, the request itself was at fault, or it was never sent): frees its half-open
  // probe slot so that another request can probe.
  void release();

  // success -> on_success; outcomes that count against the deployment -> on_failure; any other
  // -> release.
  Transition report(core::AttemptOutcome outcome, Clock::time_point now);

  // How long until an open circuit admits a probe; zero when it is not open.
  Clock::duration time_until_probe(Clock::time_point now) const;

  // The state as allow() would see it at `now` (open reads as half_open once the cooldown has
  // passed), without changing anything.
  State state(Clock::time_point now) const;

 private:
  void open_locked(Clock::time_point now);

  const int failure_threshold_;
  const Clock::duration cooldown_;
  const int half_open_requests_;

  mutable std::mutex mu_;
  // Written under mu_ only; read without it on the closed fast paths, so that a healthy
  // deployment costs no lock per request.
  std::atomic<State> state_{State::closed};
  std::atomic<int> consecutive_failures_{0};
  Clock::time_point opened_at_{};     // when the circuit last opened
  Clock::time_point half_open_at_{};  // when the current probe round started
  int probes_admitted_ = 0;           // in the current probe round
};

std::string_view to_string(CircuitBreaker::State state);

}  // namespace sluice::gateway
