#pragma once
// Instants of the platform tests: seconds after a fixed origin, so that every case names its times.

#include <chrono>

#include "sim/platform/time.hpp"

namespace sluice::sim::testing {

inline const Time t0{std::chrono::hours(1)};

inline Time at(double seconds) {
  return t0 + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

inline Duration secs(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace sluice::sim::testing
