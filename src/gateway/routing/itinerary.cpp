#include "gateway/routing/itinerary.hpp"

#include <algorithm>

namespace sluice::gateway {

Itinerary::Itinerary(const std::vector<const ModelAlias*>& chain, int max_attempts,
                     std::optional<Endpoint> endpoint)
    : max_attempts_(max_attempts), endpoint_(endpoint) {
  for (const ModelAlias* alias : chain)
    for (const auto& group : alias->priority_groups) levels_.push_back({&group, alias->strategy});
  start_level();
}

bool Itinerary::start_level() {
  if (level_ >= levels_.size()) return false;
  pool_.assign(levels_[level_].members->begin(), levels_[level_].members->end());
  if (endpoint_)
    std::erase_if(pool_, [this](const AliasMember& m) {
      return !m.deployment->provider->serves(*endpoint_);
    });
  return true;
}

Deployment* Itinerary::next(Clock::time_point now, Rng& rng) {
  while (attempts_ < max_attempts_) {
    std::erase_if(pool_, [&](const AliasMember& m) {
      const bool open = m.deployment->breaker.state(now) == CircuitBreaker::State::open;
      skipped_open_ |= open;
      return open;
    });
    if (pool_.empty()) {  // this level is done: the next one, or the next round
      ++level_;
      if (start_level()) continue;
      if (!attempted_this_round_) return nullptr;  // a whole round found nothing to try
      attempted_this_round_ = false;
      ++round_;
      level_ = 0;
      if (!start_level()) return nullptr;
      continue;
    }
    candidates_.clear();
    for (const AliasMember& m : pool_) candidates_.push_back({m.weight, &m.deployment->stats});
    const std::size_t index = pick(levels_[level_].strategy, candidates_, rng);
    Deployment* chosen = pool_[index].deployment;
    pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(index));
    if (!chosen->breaker.allow(now)) {  // half-open, and its probes are taken
      skipped_open_ = true;
      continue;
    }
    ++attempts_;
    attempted_this_round_ = true;
    return chosen;
  }
  return nullptr;
}

}  // namespace sluice::gateway
