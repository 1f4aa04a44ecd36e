#pragma once
// Whether the server runs degraded: on after sustained overload, off again after a calm spell
// (hysteresis, so that it does not flap). Services read on() on their request path (one relaxed
// load) to answer more cheaply: retrieval skips dense search and returns fewer passages, the
// gateway may serve a cheaper alias.

#include <atomic>
#include <chrono>
#include <optional>

namespace sluice::ops {

class DegradedMode {
 public:
  using Clock = std::chrono::steady_clock;

  DegradedMode(std::chrono::milliseconds enter_after, std::chrono::milliseconds exit_after)
      : enter_after_(enter_after), exit_after_(exit_after) {}

  bool on() const { return on_.load(std::memory_order_relaxed); }

  // One sample of the load at `now`: `pressured` when requests waited or were shed since the last
  // sample. Turns on after enter_after of unbroken pressure, off after exit_after of none.
  // Returns whether the state changed. Called from one thread at a time.
  bool observe(bool pressured, Clock::time_point now);

 private:
  const std::chrono::milliseconds enter_after_;
  const std::chrono::milliseconds exit_after_;
  std::atomic<bool> on_{false};
  std::optional<Clock::time_point> streak_start_;  // of pressure while off, of calm while on
};

}  // namespace sluice::ops
