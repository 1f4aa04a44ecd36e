#include "ops/degraded_mode.hpp"

namespace sluice::ops {

bool DegradedMode::observe(bool pressured, Clock::time_point now) {
  const bool on = on_.load(std::memory_order_relaxed);
  // While off, a streak of pressure counts toward entering; while on, a streak of calm toward
  // leaving. Anything else breaks the streak.
  if (pressured == on) {
    streak_start_.reset();
    return false;
  }
  if (!streak_start_) streak_start_ = now;
  if (now - *streak_start_ < (on ? exit_after_ : enter_after_)) return false;
  on_.store(!on, std::memory_order_relaxed);
  streak_start_.reset();
  return true;
}

}  // namespace sluice::ops
