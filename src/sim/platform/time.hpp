#pragma once
// Time as the platform policies see it: always an argument, never read from a clock, so that the
// simulation's virtual clock drives them and tests name every instant.

#include <chrono>
#include <functional>

namespace sluice::sim {

// The clock of the request path (gateway::Timing::Clock): the engine's virtual timing hands out
// these time points, so a policy takes `timing.now()` as it is.
using Clock = std::chrono::steady_clock;
using Time = Clock::time_point;
using Duration = Clock::duration;

// One draw from a distribution the caller owns (a start-up delay, a cold start). The engine builds
// it from its seeded random stream; the policies never hold a generator of their own.
using DurationSampler = std::function<Duration()>;

inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// `d` rounded up to a whole number of `granularity` (a billing increment); unchanged when the
// granularity is zero or less.
inline Duration round_up(Duration d, Duration granularity) {
  if (granularity <= Duration::zero() || d <= Duration::zero()) return d;
  const auto units = (d.count() + granularity.count() - 1) / granularity.count();
  return Duration(units * granularity.count());
}

}  // namespace sluice::sim
