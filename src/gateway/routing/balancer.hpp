#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>

namespace sluice::gateway {

// How to choose among the deployments of one priority level of a model alias.
enum class Strategy { weighted, least_outstanding, lowest_latency };

// "weighted", "least_outstanding" or "lowest_latency"; nullopt for anything else.
std::optional<Strategy> parse_strategy(std::string_view name);
std::string_view to_string(Strategy strategy);

// Live load and latency of one deployment, shared by every event loop: all methods are
// thread-safe and lock-free.
class DeploymentStats {
 public:
  // Weight of the newest sample in the latency average: recent enough to follow a degrading
  // upstream within a handful of requests, smooth enough to ignore one slow answer.
  static constexpr double kAlpha = 0.3;

  // A request to the deployment started.
  void begin();
  // A request started with begin() finished. Only successes feed the latency average: a fast
  // error is not a fast deployment (failing ones are the circuit breaker's business).
  void end(std::chrono::nanoseconds latency, bool success);

  std::int64_t outstanding() const { return outstanding_.load(std::memory_order_relaxed); }
  // Exponentially weighted moving average of successful latencies; nullopt before the first.
  std::optional<double> latency_ms() const;
  std::uint64_t successes() const { return successes_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> outstanding_{0};
  std::atomic<double> ewma_ms_{-1};  // negative: no sample yet
  std::atomic<std::uint64_t> successes_{0};
  std::atomic<std::uint64_t> failures_{0};
};

struct Candidate {
  int weight = 1;                          // 0 drains the deployment (see pick)
  const DeploymentStats* stats = nullptr;  // null reads as idle and unmeasured
};

// One generator per event loop thread; pick() itself keeps no state.
using Rng = std::mt19937_64;

// The index of the candidate to try. Candidates with weight 0 are considered only when every
// candidate has weight 0, whatever the strategy, so that weight 0 always means "drained".
//  - weighted: random, proportional to weight (uniform when all weights are 0).
//  - least_outstanding: fewest requests in flight; ties broken at random.
//  - lowest_latency: an unmeasured candidate first (at random among them), so that every
//    deployment gets measured; otherwise the lowest average latency, ties broken at random.
// Precondition: `candidates` is not empty.
std::size_t pick(Strategy strategy, std::span<const Candidate> candidates, Rng& rng);

}  // namespace sluice::gateway
