#pragma once
// Canary releases of model aliases: an alias (the baseline) hands `weight` of its chat requests
// to a candidate alias, and the CanaryController rolls the candidate back (weight 0) when its
// requests over a sliding window break the rollback rule. Pure policy: the caller passes the
// time (the GatewayService's Timing, virtual in a simulation) and the random generator.
//
// The rule: the candidate's metric (error_rate, p99_latency or ttft_p99) over the last `window`
// is above the absolute `threshold`, once the candidate had at least `min_requests` requests
// there that the metric reads; and, when the baseline had `min_requests` in the same window too,
// above the baseline's: an incident that hurts the baseline as much (a provider outage under
// both) is not the candidate's fault. A rolled-back candidate stays out (weight 0) until resume()
// (the admin API) or a restart with the configuration.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "gateway/routing/balancer.hpp"
#include "gateway/routing/canary_window.hpp"

namespace sluice::gateway {

enum class CanaryVersion { baseline, candidate };
// "baseline" or "candidate": the x-sluice-canary header's value and the metrics' version label.
std::string_view to_string(CanaryVersion version);

enum class CanaryMetric { error_rate, p99_latency, ttft_p99 };
std::string_view to_string(CanaryMetric metric);
std::optional<CanaryMetric> parse_canary_metric(std::string_view name);

struct CanaryRule {
  CanaryMetric metric = CanaryMetric::error_rate;
  double threshold = 0;  // a share for error_rate, seconds for the latencies
  std::chrono::steady_clock::duration window = std::chrono::minutes(5);
  std::uint64_t min_requests = 50;
};

// How one request through a canaried alias ended, as the rule reads it. Requests the client cut
// short (it left, or its own deadline passed) are not samples: they say nothing of the version.
struct CanarySample {
  // Failed, or answered by a fallback alias rather than by the version it was sent to.
  bool failed = false;
  double latency = 0;          // seconds, arrival to the end (read for answered requests)
  std::optional<double> ttft;  // seconds, answered streams
};

// A rollback, as it happened.
struct CanaryRollback {
  std::string reason;  // the rule's metric, or "manual"
  std::chrono::steady_clock::time_point at;
  std::optional<double> candidate_value;  // the metric then (none for a manual one)
  std::optional<double> baseline_value;   // the baseline's, when it had min_requests
};

// A canary as the admin API and the simulator show it.
struct CanaryStatus {
  std::string alias;
  std::string candidate;
  double configured_weight = 0;
  double weight = 0;  // now: 0 once rolled back
  std::optional<CanaryRule> rule;
  std::optional<CanaryRollback> rollback;  // the last one; none while the candidate serves
  CanaryReading baseline;                  // over the window ending now
  CanaryReading candidate_reading;
};

class CanaryController {
 public:
  using Clock = std::chrono::steady_clock;

  // `rule`: none for a canary that only an admin rolls back.
  CanaryController(std::string alias, std::string candidate, double weight,
                   std::optional<CanaryRule> rule);

  const std::string& alias() const { return alias_; }
  const std::string& candidate() const { return candidate_; }
  const std::optional<CanaryRule>& rule() const { return rule_; }
  // The share of requests the candidate gets now.
  double weight() const { return weight_.load(std::memory_order_relaxed); }

  // Which version serves a request. With a stickiness `key`, the same key always gets the same
  // version for a given weight (and a key on the candidate stays there as the weight grows):
  // a hash of the alias and the key against the weight. Without one, a draw from `rng`.
  CanaryVersion pick(std::string_view key, Rng& rng) const;

  // A request of `version` ended at `now`. Returns the rollback it caused, exactly once.
  std::optional<CanaryRollback> record(CanaryVersion version, const CanarySample& sample,
                                       Clock::time_point now);
  // Takes the candidate out now (reason "manual"); none when it was already out.
  std::optional<CanaryRollback> roll_back(Clock::time_point now);
  // Puts the candidate back at its configured weight with empty windows; false when it was not
  // rolled back.
  bool resume();

  CanaryStatus status(Clock::time_point now);

  // Where a stickiness key falls in [0, 1) for this alias: stable across runs and builds.
  double position_of(std::string_view key) const;

 private:
  // The rule's value for `reading`, when it has min_requests samples for it.
  std::optional<double> value_of(const CanaryReading& reading) const;
  // Whether the candidate breaks the rule at `now` (caller holds mu_); fills `rollback` if so.
  bool breaks_rule(Clock::time_point now, CanaryRollback& rollback);

  const std::string alias_;
  const std::string candidate_;
  const double configured_weight_;
  const std::optional<CanaryRule> rule_;
  const std::uint64_t salt_;  // of the alias: each canary splits keys its own way
  std::atomic<double> weight_;

  std::mutex mu_;  // only requests to a canaried alias take it, once, as they end
  CanaryWindow baseline_;
  CanaryWindow candidate_window_;
  std::optional<CanaryRollback> rollback_;
};

// The canaries of a configuration, by alias. Built once; the controllers live as long as it.
class CanaryRouter {
 public:
  explicit CanaryRouter(const std::vector<core::ModelAliasConfig>& models);

  // The canary of `alias`; null when it has none.
  CanaryController* find(std::string_view alias) const;
  // In alias order.
  std::vector<CanaryController*> all() const;
  bool empty() const { return controllers_.empty(); }

 private:
  std::map<std::string, std::unique_ptr<CanaryController>, std::less<>> controllers_;
};

}  // namespace sluice::gateway
