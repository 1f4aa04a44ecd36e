#include "sim/platform/global_load_balancer.hpp"

#include <limits>
#include <stdexcept>

namespace sluice::sim {

GlobalLoadBalancer::GlobalLoadBalancer(GlobalLoadBalancerConfig config,
                                       std::vector<std::vector<double>> distance,
                                       std::vector<bool> has_backends,
                                       std::vector<Time> first_check)
    : config_(config), distance_(std::move(distance)) {
  if (config_.interval <= Duration::zero())
    throw std::invalid_argument("a health-check interval above 0");
  if (config_.unhealthy_threshold < 1 || config_.healthy_threshold < 1)
    throw std::invalid_argument("health-check thresholds of at least 1");
  if (config_.dns_ttl < Duration::zero()) throw std::invalid_argument("a DNS TTL of at least 0");
  const std::size_t n = has_backends.size();
  if (distance_.size() != n || first_check.size() != n)
    throw std::invalid_argument("one distance row and one first check per region");
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (distance_[i].size() != n) throw std::invalid_argument("a distance to every region");
    Region r;
    r.has_backends = has_backends[i];
    r.next_check = has_backends[i] ? first_check[i] : Time::max();
    regions_.push_back(r);
    any = any || has_backends[i];
  }
  if (!any) throw std::invalid_argument("some region with backends");
}

Time GlobalLoadBalancer::next_check(std::size_t region) const {
  return regions_.at(region).next_check;
}

std::optional<RegionHealthChange> GlobalLoadBalancer::check(std::size_t index, Time now,
                                                            bool answered) {
  Region& r = regions_.at(index);
  if (!r.has_backends) return std::nullopt;
  r.next_check = now + config_.interval;
  // Changes older than one TTL are no client's view any more: fold them into the base state.
  const Time horizon = now - config_.dns_ttl;
  std::size_t old = 0;
  while (old < r.changes.size() && r.changes[old].first < horizon) ++old;
  if (old > 0) {
    r.healthy_before = r.changes[old - 1].second;
    r.changes.erase(r.changes.begin(), r.changes.begin() + static_cast<std::ptrdiff_t>(old));
  }
  if (answered == r.healthy) {
    r.streak = 0;
    return std::nullopt;
  }
  const int needed = r.healthy ? config_.unhealthy_threshold : config_.healthy_threshold;
  if (++r.streak < needed) return std::nullopt;
  r.streak = 0;
  if (r.changes.empty()) r.healthy_before = r.healthy;
  r.healthy = answered;
  if (config_.dns_ttl > Duration::zero()) r.changes.emplace_back(now, answered);
  return RegionHealthChange{index, answered, now};
}

bool GlobalLoadBalancer::healthy_at(const Region& r, Time at) const {
  if (r.changes.empty()) return r.healthy;
  for (auto it = r.changes.rbegin(); it != r.changes.rend(); ++it)
    if (it->first <= at) return it->second;
  return r.healthy_before;
}

std::size_t GlobalLoadBalancer::route(std::size_t client, Time now, double cache_draw) const {
  const Time seen = config_.dns_ttl > Duration::zero()
                        ? now - std::chrono::duration_cast<Duration>(cache_draw * config_.dns_ttl)
                        : now;
  const std::vector<double>& from = distance_.at(client);
  std::size_t nearest = regions_.size();
  std::size_t nearest_any = regions_.size();
  double best = std::numeric_limits<double>::infinity();
  double best_any = std::numeric_limits<double>::infinity();
  for (std::size_t s = 0; s < regions_.size(); ++s) {
    const Region& r = regions_[s];
    if (!r.has_backends) continue;
    if (from[s] < best_any) {
      best_any = from[s];
      nearest_any = s;
    }
    if (from[s] < best && healthy_at(r, seen)) {
      best = from[s];
      nearest = s;
    }
  }
  // No healthy region: all count as healthy.
  return nearest < regions_.size() ? nearest : nearest_any;
}

}  // namespace sluice::sim
