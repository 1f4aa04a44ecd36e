#include "gateway/routing/balancer.hpp"

#include <cassert>
#include <limits>

namespace sluice::gateway {

namespace {

// Among the eligible candidates for which `key` is smallest, one chosen uniformly (reservoir
// sampling, one pass).
template <class Key>
std::size_t pick_min(std::span<const Candidate> candidates, bool only_weighted, Rng& rng, Key key) {
  std::size_t chosen = 0;
  std::size_t ties = 0;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (only_weighted && candidates[i].weight <= 0) continue;
    const double k = key(candidates[i]);
    if (ties == 0 || k < best) {
      best = k;
      chosen = i;
      ties = 1;
    } else if (k == best && std::uniform_int_distribution<std::size_t>(0, ties++)(rng) == 0) {
      chosen = i;
    }
  }
  return chosen;
}

}  // namespace

std::optional<Strategy> parse_strategy(std::string_view name) {
  if (name == "weighted") return Strategy::weighted;
  if (name == "least_outstanding") return Strategy::least_outstanding;
  if (name == "lowest_latency") return Strategy::lowest_latency;
  return std::nullopt;
}

std::string_view to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::weighted:
      return "weighted";
    case Strategy::least_outstanding:
      return "least_outstanding";
    case Strategy::lowest_latency:
      return "lowest_latency";
  }
  return "unknown";
}

void DeploymentStats::begin() { outstanding_.fetch_add(1, std::memory_order_relaxed); }

void DeploymentStats::end(std::chrono::nanoseconds latency, bool success) {
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
  if (!success) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  successes_.fetch_add(1, std::memory_order_relaxed);
  const double sample = std::chrono::duration<double, std::milli>(latency).count();
  double old = ewma_ms_.load(std::memory_order_relaxed);
  double updated;
  do {
    updated = old < 0 ? sample : kAlpha * sample + (1 - kAlpha) * old;
  } while (!ewma_ms_.compare_exchange_weak(old, updated, std::memory_order_relaxed));
}

std::optional<double> DeploymentStats::latency_ms() const {
  const double v = ewma_ms_.load(std::memory_order_relaxed);
  if (v < 0) return std::nullopt;
  return v;
}

std::size_t pick(Strategy strategy, std::span<const Candidate> candidates, Rng& rng) {
  assert(!candidates.empty());
  if (candidates.size() == 1) return 0;
  long long total_weight = 0;
  for (const Candidate& c : candidates) total_weight += c.weight > 0 ? c.weight : 0;
  const bool only_weighted = total_weight > 0;

  switch (strategy) {
    case Strategy::weighted: {
      if (!only_weighted) {
        return std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng);
      }
      long long point = std::uniform_int_distribution<long long>(0, total_weight - 1)(rng);
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (candidates[i].weight <= 0) continue;
        point -= candidates[i].weight;
        if (point < 0) return i;
      }
      return candidates.size() - 1;  // unreachable: the weights sum to total_weight
    }
    case Strategy::least_outstanding:
      return pick_min(candidates, only_weighted, rng, [](const Candidate& c) {
        return c.stats ? static_cast<double>(c.stats->outstanding()) : 0.0;
      });
    case Strategy::lowest_latency:
      // Unmeasured candidates read as -1 ms, so they win until each has a sample.
      return pick_min(candidates, only_weighted, rng, [](const Candidate& c) {
        const std::optional<double> ms = c.stats ? c.stats->latency_ms() : std::nullopt;
        return ms ? *ms : -1.0;
      });
  }
  return 0;
}

}  // namespace sluice::gateway
