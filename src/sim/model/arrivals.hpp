#pragma once
// When requests arrive: a Poisson process (or evenly spaced arrivals) whose rate follows the
// scenario's traffic: a constant rate, or phases that hold a rate (step) or move in a straight
// line from the previous phase's rate (linear), optionally repeating (a daily curve). Arrival
// times come from inverting the integrated rate, so a ramp needs no thinning and every arrival
// costs one draw.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/engine/random.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

class Arrivals {
 public:
  // Arrivals in [0, horizon) seconds.
  Arrivals(const TrafficConfig& traffic, double horizon, std::uint64_t seed);

  // The next arrival, in seconds since the start; nullopt once past the horizon.
  std::optional<double> next();

  // The rate at time t (seconds), requests per second: for tests and the report.
  double rate_at(double t) const;
  // Expected arrivals in [0, horizon).
  double expected_count() const;

 private:
  // The rate moves linearly from `from` to `to` over [start, end).
  struct Piece {
    double start;
    double end;
    double from;
    double to;
    double integral() const { return (from + to) / 2 * (end - start); }
  };
  // The offset into `piece` where the integrated rate reaches `mass`.
  static double solve(const Piece& piece, double mass);

  std::vector<Piece> pieces_;
  bool poisson_;
  Random random_;
  std::size_t piece_ = 0;
  double consumed_ = 0;  // integrated rate from the current piece's start to the last arrival
};

}  // namespace sluice::sim
