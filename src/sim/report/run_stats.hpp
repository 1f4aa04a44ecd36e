#pragma once
// What a run measured: totals and a series of fixed windows. Arrivals count in the window they
// arrive in; everything else (completions, latencies, errors, cost, and the gateway's retry and
// breaker counters) in the window the request ends in, as a dashboard over the real metrics
// would show it.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/cause.hpp"
#include "sim/report/quantile_sketch.hpp"

namespace sluice::sim {

// One finished request.
struct RequestRecord {
  double arrival = 0;  // seconds since the start
  double end = 0;
  bool admitted = true;
  double queue_wait = 0;       // in the admission queue, until admitted or refused
  std::optional<double> ttft;  // arrival -> first chunk, for streams that got one
  Cause cause = Cause::none;
  int attempts = 0;
  double cost_usd = 0;
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  std::size_t mix = 0;      // which traffic.mix entry
  std::size_t replica = 0;  // which replica served it
  // With regions: the region that served (or refused) it, and the one its client is in.
  std::size_t region = 0;
  std::size_t client_region = 0;
  bool stream = false;
  std::string deployment;    // that answered (or failed last); empty when none was tried
  int key = -1;              // the `keys` entry it was sent with; -1: none
  bool downgraded = false;   // over budget, sent to the cheaper model budgets.downgrades names
  std::string_view canary;   // of a canaried alias: "baseline" or "candidate"; else empty
  std::string canary_alias;  // that alias (the model the gateway routed); empty without a canary
  // For the simulated access log: the model asked for, the status the client got, the last
  // attempt's outcome, and every attempt.
  std::string model;
  int status = 0;
  core::AttemptOutcome last_outcome = core::AttemptOutcome::success;
  std::vector<gateway::AttemptRecord> tries;

  double latency() const { return end - arrival; }
};

// Counters the gateway's own metrics hold (summed over replicas), for one window or the run.
struct GatewayCounters {
  double retries = 0;           // sluice_upstream_retries_total{kind="retry"}
  double fallbacks = 0;         // sluice_upstream_retries_total{kind="fallback"}
  double breaker_openings = 0;  // sluice_circuit_transitions_total{to="open"}
};

// Requests to canaried aliases, by the version that served them.
struct CanaryCounts {
  std::uint64_t baseline = 0;
  std::uint64_t candidate = 0;
  std::uint64_t baseline_failed = 0;
  std::uint64_t candidate_failed = 0;
  std::uint64_t requests() const { return baseline + candidate; }
  void add(bool candidate_served, bool failed);
};

struct SeriesStats {
  std::uint64_t requests = 0;   // arrived
  std::uint64_t finished = 0;   // ended, answered or not
  std::uint64_t completed = 0;  // answered successfully
  std::array<std::uint64_t, kCauseCount> causes{};
  QuantileSketch latency;     // completed requests, arrival to last byte
  QuantileSketch ttft;        // completed streams, arrival to first chunk
  QuantileSketch queue_wait;  // every request, in the admission queue (0 when not queued)
  std::uint64_t queued = 0;   // requests that waited in the admission queue at all
  std::uint64_t attempts = 0;
  double cost_usd = 0;
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  GatewayCounters gateway;
  CanaryCounts canary;  // every canaried alias together
  // Per canaried alias that had a request end in the series.
  std::map<std::string, CanaryCounts, std::less<>> canary_by_alias;

  void add(const RequestRecord& record);
  std::uint64_t failed() const { return finished - completed; }
  // Alias `alias`'s counts; all zero when none of its requests ended in the series.
  const CanaryCounts& canary_of(std::string_view alias) const;
};

// Per deployment (summed over replicas), from the gateway's metrics at the end of the run.
struct DeploymentCounters {
  std::map<std::string, double> outcomes;  // attempts by outcome
  double breaker_openings = 0;
  double attempts() const;
};

class RunStats {
 public:
  explicit RunStats(double window_seconds) : window_(window_seconds) {}

  void arrived(double t) {
    ++window_at(t).requests;
    ++totals_.requests;
  }
  void finished(const RequestRecord& record);
  // The gateway counters that moved in window `index`.
  void set_window_counters(std::size_t index, const GatewayCounters& counters);
  void set_totals(const GatewayCounters& counters,
                  std::map<std::string, DeploymentCounters> deployments);

  double window() const { return window_; }
  const std::vector<SeriesStats>& windows() const { return windows_; }
  const SeriesStats& totals() const { return totals_; }
  const std::map<std::string, DeploymentCounters>& deployments() const { return deployments_; }

 private:
  SeriesStats& window_at(double t);

  double window_;
  std::vector<SeriesStats> windows_;
  SeriesStats totals_;
  std::map<std::string, DeploymentCounters> deployments_;
};

}  // namespace sluice::sim
