#pragma once
// `sluice mock-upstream --scenario FILE --scenario-provider NAME`: the mock plays one provider of
// a `sluice simulate` scenario, with the latency and fault model the simulator gives it
// (src/sim/model/upstream.cpp), so that a live run behind real gateways can be set beside the
// simulation of the same scenario (bench/simulate_calibrate.sh). This file holds the model's
// decisions (no I/O); mock_scenario_play.cpp times the answer.
//
// Per attempt, in the simulator's order: an outage window (by time since the mock started, or
// since POST /mock/scenario/restart) or the request-rate limit fails it at once (after an
// error_latency draw); otherwise it waits in line for one of `concurrency` places (first come
// first served, until the gateway gives up on it); then error_rate answers 503 (after
// error_latency), and reset_rate drops the connection at a uniform point of the answer's time.
// The answer's first token comes after a ttft draw, each further one after a per_token draw made
// once per attempt. Token counts follow the request (max_completion_tokens or max_tokens).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/gcra.hpp"
#include "core/result.hpp"
#include "ops/admission_gate.hpp"
#include "sim/engine/random.hpp"
#include "sim/scenario/distribution.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::mock {

using Nanos = std::chrono::nanoseconds;

// What an attempt meets on arrival, before it takes a place.
struct ArrivalVerdict {
  enum class Kind {
    serve,         // on to the line
    upstream_5xx,  // 503 after `after`
    rate_limited,  // 429 with Retry-After after `after`
    reset,         // the connection drops after `after`
    connect,       // the connection drops at once (an outage's `connect`)
    no_answer,     // an outage's `timeout`: nothing, until the gateway gives up
  };
  Kind kind = Kind::serve;
  Nanos after{0};
};

// How a served attempt goes, from the moment it took its place.
struct ServicePlan {
  bool error = false;  // 503 after error_after
  Nanos error_after{0};
  Nanos ttft{0};
  Nanos per_token{0};
  long long tokens = 1;
  std::optional<Nanos> reset_at;  // the connection drops then

  // When the token `index` (1-based) is due: the first at ttft, each further one per_token later.
  Nanos token_due(long long index) const { return ttft + per_token * (index - 1); }
  Nanos done() const { return token_due(tokens); }
};

// One `providers` entry of the scenario: its distributions, faults and limits. Thread-safe: the
// mock's event loops share it, as the simulated upstream is shared by every replica.
class ScenarioUpstream {
 public:
  ScenarioUpstream(const sim::UpstreamConfig& config, std::uint64_t seed);

  // The verdict for an attempt arriving `since_start` seconds after the start.
  ArrivalVerdict on_arrival(double since_start, std::int64_t now_ns);
  // The plan of an attempt that took its place and asks for `tokens` output tokens.
  ServicePlan on_service(long long tokens);
  // The line: null when the entry has no concurrency limit.
  ops::AdmissionGate* line() { return line_.get(); }
  std::chrono::milliseconds retry_after() const { return retry_after_; }
  // The rate limit's bucket back to full (a new run).
  void restart();

 private:
  Nanos draw_time(const sim::Distribution& d);

  std::mutex mutex_;  // guards random_ and tat_ns_
  const sim::Distribution ttft_;
  const sim::Distribution per_token_;
  const sim::Distribution error_latency_;
  const double error_rate_;
  const double reset_rate_;
  const std::vector<sim::OutageConfig> outages_;
  const bool rate_limited_;
  const auth::Rate rate_;
  const std::chrono::milliseconds retry_after_;
  std::unique_ptr<ops::AdmissionGate> line_;
  sim::Random random_;
  std::int64_t tat_ns_ = 0;  // GCRA's theoretical arrival time: the token bucket in one number
};

// Every entry the scenario has for one gateway provider, and the clock outages are timed on.
class ScenarioPlayer {
 public:
  // Reads the scenario (as `sluice simulate` does, ${VAR} from `env`) and takes the entries of
  // gateway provider `provider`. An Error names the problem (the scenario's own, key by key).
  // `seed`, when not empty, replaces the scenario's seed (checked as `sluice simulate --seed`).
  static Result<std::unique_ptr<ScenarioPlayer>> load(const std::string& file,
                                                      const std::string& provider,
                                                      const std::map<std::string, std::string>& env,
                                                      const std::string& seed = {});
  // The same from a scenario already read.
  ScenarioPlayer(const sim::ScenarioConfig& scenario, const std::string& provider);

  // The entry playing upstream model `model` (the one for that model, else the provider's entry
  // without one); null when none does.
  ScenarioUpstream* upstream_for(std::string_view model);
  const std::string& provider() const { return provider_; }
  // Seconds since the start (construction or the last restart), on the steady clock.
  double since_start() const;
  // A new run: the clock back to 0, every rate-limit bucket full.
  void restart();

 private:
  std::string provider_;
  std::vector<sim::UpstreamConfig> configs_;
  std::vector<std::unique_ptr<ScenarioUpstream>> upstreams_;  // parallel to configs_
  std::atomic<std::int64_t> start_ns_;
};

// The steady clock in nanoseconds, the time base of the decisions above.
std::int64_t steady_now_ns();

}  // namespace sluice::mock
