#include "sim/model/arrivals.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::sim {

Arrivals::Arrivals(const TrafficConfig& traffic, double horizon, std::uint64_t seed)
    : poisson_(traffic.arrivals != "uniform"), random_(seed) {
  if (traffic.phases.empty()) {
    pieces_.push_back({0, horizon, traffic.rate, traffic.rate});
    return;
  }
  // A linear phase starts from the previous phase's rate: the last one's when the phases repeat
  // (the curve is periodic), none (0) for the very first otherwise.
  double previous = traffic.repeat ? traffic.phases.back().rate : 0;
  double t = 0;
  std::size_t i = 0;
  while (t < horizon) {
    if (i == traffic.phases.size()) {
      if (!traffic.repeat) {  // after the last phase, its rate holds
        pieces_.push_back({t, horizon, previous, previous});
        break;
      }
      i = 0;
    }
    const PhaseConfig& phase = traffic.phases[i++];
    const double end = std::min(t + phase.duration.count(), horizon);
    const double from = phase.ramp == "linear" ? previous : phase.rate;
    // A phase cut by the horizon ends at the rate its line reaches there.
    const double to = from + (phase.rate - from) * (end - t) / phase.duration.count();
    pieces_.push_back({t, end, from, to});
    previous = phase.rate;
    t = t + phase.duration.count();
  }
}

double Arrivals::solve(const Piece& piece, double mass) {
  if (mass <= 0) return 0;
  // rate(d) = from + slope d; its integral from 0 is from d + slope d^2 / 2 = mass. The root in
  // this form loses no precision when slope is near 0.
  const double slope = (piece.to - piece.from) / (piece.end - piece.start);
  const double disc = piece.from * piece.from + 2 * slope * mass;
  const double d = 2 * mass / (piece.from + std::sqrt(std::max(disc, 0.0)));
  return std::min(d, piece.end - piece.start);
}

std::optional<double> Arrivals::next() {
  // Poisson: the integrated rate between arrivals is Exp(1); evenly spaced: exactly 1.
  double target = consumed_ + (poisson_ ? -std::log(random_.uniform_positive()) : 1.0);
  while (piece_ < pieces_.size() && target > pieces_[piece_].integral()) {
    target -= pieces_[piece_].integral();
    ++piece_;
  }
  if (piece_ == pieces_.size()) return std::nullopt;
  consumed_ = target;
  const Piece& piece = pieces_[piece_];
  const double t = piece.start + solve(piece, target);
  if (t >= piece.end && piece_ + 1 == pieces_.size()) return std::nullopt;  // the horizon
  return t;
}

double Arrivals::rate_at(double t) const {
  for (const Piece& p : pieces_)
    if (t >= p.start && t < p.end)
      return p.from + (p.to - p.from) * (t - p.start) / (p.end - p.start);
  return 0;
}

double Arrivals::expected_count() const {
  double total = 0;
  for (const Piece& p : pieces_) total += p.integral();
  return total;
}

}  // namespace sluice::sim
