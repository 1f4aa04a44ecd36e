#include "sim/report/key_stats.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::sim {

void KeyStats::finished(const RequestRecord& r) {
  if (r.key < 0 || static_cast<std::size_t>(r.key) >= keys_.size()) return;
  KeySeries& key = keys_[static_cast<std::size_t>(r.key)];
  ++key.requests;
  if (r.cause == Cause::none) ++key.completed;
  if (r.cause == Cause::rate_limit_exceeded) ++key.rate_limited;
  const bool over_budget = r.cause == Cause::budget_exceeded || r.downgraded;
  if (r.cause == Cause::budget_exceeded) ++key.budget_refused;
  if (r.downgraded) ++key.downgraded;
  if (over_budget) {
    const double at = r.arrival + r.queue_wait;
    key.over_budget_at = key.over_budget_at ? std::min(*key.over_budget_at, at) : at;
  }
  key.cost_usd += r.cost_usd;
  const auto window = static_cast<std::size_t>(std::max(0.0, std::floor(r.end / window_)));
  if (key.window_cost_usd.size() <= window) key.window_cost_usd.resize(window + 1, 0);
  key.window_cost_usd[window] += r.cost_usd;
}

void KeyStats::close(std::size_t windows) {
  for (KeySeries& key : keys_)
    key.window_cost_usd.resize(std::max(windows, key.window_cost_usd.size()), 0);
}

}  // namespace sluice::sim
