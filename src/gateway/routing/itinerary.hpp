#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "gateway/routing/balancer.hpp"
#include "gateway/routing/catalog.hpp"

namespace sluice::gateway {

// The order in which one request tries deployments: the lowest priority level of its model's
// alias first (picked by the alias' strategy, skipping open circuits), then higher levels, then
// the fallback aliases' levels; once all were tried, another round retries them (after backoff,
// which the caller applies). Bounded by max_attempts. Not thread-safe: one per request.
class Itinerary {
 public:
  using Clock = std::chrono::steady_clock;

  // With `endpoint`, deployments whose provider does not serve it are never tried.
  Itinerary(const std::vector<const ModelAlias*>& chain, int max_attempts,
            std::optional<Endpoint> endpoint = std::nullopt);
  Itinerary(const Route& route, int max_attempts, std::optional<Endpoint> endpoint = std::nullopt)
      : Itinerary(route.aliases(), max_attempts, endpoint) {}

  // The next deployment to try, or null when the attempts, or the deployments admitted by
  // their circuits, are exhausted. Counts the attempt.
  Deployment* next(Clock::time_point now, Rng& rng);
  // The attempt next() counted was not made after all (no retry budget left for it).
  void cancel_last() { --attempts_; }
  // Whether the deployment next() returned was already tried by this request (back off first).
  bool is_retry() const { return round_ > 0; }
  int attempts() const { return attempts_; }
  // Whether some deployment was passed over because its circuit was open.
  bool skipped_open() const { return skipped_open_; }

 private:
  struct Level {
    const std::vector<AliasMember>* members;
    Strategy strategy;
  };
  bool start_level();  // loads pool_ for the current level; false when there is none left

  std::vector<Level> levels_;
  const int max_attempts_;
  const std::optional<Endpoint> endpoint_;
  int attempts_ = 0;
  int round_ = 0;
  std::size_t level_ = 0;
  bool attempted_this_round_ = false;
  bool skipped_open_ = false;
  std::vector<AliasMember> pool_;  // the current level's members not yet tried this round
  std::vector<Candidate> candidates_;
};

}  // namespace sluice::gateway
