#include "gateway/routing/circuit_breaker.hpp"

#include <algorithm>

namespace sluice::gateway {

CircuitBreaker::CircuitBreaker(const core::CircuitBreakerConfig& config)
    : failure_threshold_(std::max(1, config.failure_threshold)),
      cooldown_(std::chrono::duration_cast<Clock::duration>(config.cooldown)),
      half_open_requests_(std::max(1, config.half_open_requests)) {}

bool CircuitBreaker::allow(Clock::time_point now) {
  if (state_.load(std::memory_order_acquire) == State::closed) return true;
  std::lock_guard lock(mu_);
  switch (state_.load(std::memory_order_relaxed)) {
    case State::closed:
      return true;
    case State::open:
      if (now - opened_at_ < cooldown_) return false;
      state_.store(State::half_open, std::memory_order_release);
      half_open_at_ = now;
      probes_admitted_ = 0;
      break;
    case State::half_open:
      // A probe whose outcome never arrives (its request was cancelled, say) would otherwise
      // hold its slot forever and pin the circuit half-open; after a cooldown, start a new round.
      if (now - half_open_at_ >= cooldown_) {
        half_open_at_ = now;
        probes_admitted_ = 0;
      }
      break;
  }
  if (probes_admitted_ >= half_open_requests_) return false;
  ++probes_admitted_;
  return true;
}

CircuitBreaker::Transition CircuitBreaker::on_success(Clock::time_point now) {
  if (state_.load(std::memory_order_acquire) == State::closed &&
      consecutive_failures_.load(std::memory_order_relaxed) == 0) {
    return Transition::none;
  }
  std::lock_guard lock(mu_);
  switch (state_.load(std::memory_order_relaxed)) {
    case State::closed:
      consecutive_failures_.store(0, std::memory_order_relaxed);
      break;
    case State::half_open:
      state_.store(State::closed, std::memory_order_release);
      consecutive_failures_.store(0, std::memory_order_relaxed);
      return Transition::closed;
    case State::open:
      // A straggler admitted before the circuit opened proves little; wait for a probe.
      break;
  }
  return Transition::none;
}

CircuitBreaker::Transition CircuitBreaker::on_failure(Clock::time_point now) {
  std::lock_guard lock(mu_);
  switch (state_.load(std::memory_order_relaxed)) {
    case State::closed: {
      const int failures = consecutive_failures_.load(std::memory_order_relaxed) + 1;
      consecutive_failures_.store(failures, std::memory_order_relaxed);
      if (failures < failure_threshold_) break;
      open_locked(now);
      return Transition::opened;
    }
    case State::half_open:
      open_locked(now);
      return Transition::opened;
    case State::open:
      // Stragglers must not extend the cooldown, or a busy deployment would never be probed.
      break;
  }
  return Transition::none;
}

void CircuitBreaker::release() {
  if (state_.load(std::memory_order_acquire) == State::closed) return;
  std::lock_guard lock(mu_);
  if (state_.load(std::memory_order_relaxed) == State::half_open && probes_admitted_ > 0)
    --probes_admitted_;
}

CircuitBreaker::Transition CircuitBreaker::report(core::AttemptOutcome outcome,
                                                  Clock::time_point now) {
  if (outcome == core::AttemptOutcome::success) return on_success(now);
  if (core::counts_against_deployment(outcome)) return on_failure(now);
  release();
  return Transition::none;
}

CircuitBreaker::Clock::duration CircuitBreaker::time_until_probe(Clock::time_point now) const {
  if (state_.load(std::memory_order_acquire) == State::closed) return Clock::duration::zero();
  std::lock_guard lock(mu_);
  if (state_.load(std::memory_order_relaxed) != State::open) return Clock::duration::zero();
  const auto left = opened_at_ + cooldown_ - now;
  return left > Clock::duration::zero() ? left : Clock::duration::zero();
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  if (state_.load(std::memory_order_acquire) == State::closed) return State::closed;
  std::lock_guard lock(mu_);
  const State s = state_.load(std::memory_order_relaxed);
  if (s == State::open && now - opened_at_ >= cooldown_) return State::half_open;
  return s;
}

void CircuitBreaker::open_locked(Clock::time_point now) {
  state_.store(State::open, std::memory_order_release);
  opened_at_ = now;
  probes_admitted_ = 0;
}

std::string_view to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed:
      return "closed";
    case CircuitBreaker::State::open:
      return "open";
    case CircuitBreaker::State::half_open:
      return "half_open";
  }
  return "unknown";
}

}  // namespace sluice::gateway
