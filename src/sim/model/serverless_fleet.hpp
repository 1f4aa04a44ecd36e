#pragma once
// `platform: {kind: serverless}`: the gateway as serverless functions. A ServerlessPool
// (sim/platform/serverless_pool.hpp) decides where each arrival runs: a warm instance with a free
// slot, a starting one (the request waits for its start), a new instance (a cold start), the
// platform's queue, or a refusal (429: cause `throttled`). Each instance is a real replica (its
// own Catalog, GatewayService, metrics, breakers and admission gates), created when the pool
// first places a request on it; idle instances expire after idle_expiry. The pool bills requests,
// compute and warm instances as the scenario's preset and prices say.

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/random.hpp"
#include "sim/model/replica.hpp"
#include "sim/platform/serverless_pool.hpp"
#include "sim/report/level_series.hpp"
#include "sim/report/quantile_sketch.hpp"
#include "sim/scenario/distribution.hpp"

namespace sluice::sim {

struct ServerlessStats {
  std::vector<LevelWindow> instances;      // per window: instances alive (starting, busy or idle)
  std::vector<std::uint64_t> cold_starts;  // per window: instances started for a request
  std::uint64_t invocations = 0;           // requests that got a slot
  std::uint64_t cold_starts_total = 0;
  std::uint64_t cold_start_requests = 0;  // requests that waited for an instance to start
  QuantileSketch cold_start_wait;         // how long each of them waited for it, seconds
  std::uint64_t queued = 0;               // requests that waited in the platform's queue
  std::uint64_t throttled = 0;            // refused (at once, or after queue_timeout)
  int peak_instances = 0;
  double instance_seconds = 0;  // instances' lifetimes over the duration
  // The bill: the requests and compute of every request of the run (those still running at the
  // duration's end billed whole), the warm minimum over the duration.
  ServerlessCost cost;
};

class ServerlessFleet {
 public:
  // `recorder` hears every request's end (the run's own).
  ServerlessFleet(Engine& engine, const ScenarioConfig& scenario, const UpstreamSet& upstreams,
                  PlanBoard& plans, gateway::Timing& timing, std::uint64_t seed,
                  Recorder& recorder);
  ~ServerlessFleet();

  // An arrival now: placed, queued or refused.
  void serve(Call call);

  // Expires idle instances and queued requests at their deadlines, and takes the bill at the
  // duration's end, until `done()` holds at a wake-up (at least once a second).
  boost::asio::awaitable<void> control(std::function<bool()> done);

  // Closes the series at the end of the run (`windows` report windows).
  void finish(std::size_t windows);

  // Every instance that ever served, in the order they first did.
  std::size_t size() const { return replicas_.size(); }
  const Replica& replica(std::size_t i) const { return *replicas_[i]; }
  // Whether instance `i` expired (idle for idle_expiry).
  bool stopped(std::size_t i) const { return expired_[i]; }
  const ServerlessStats& stats() const { return stats_; }

 private:
  boost::asio::awaitable<void> run(Call call, ServerlessGrant grant);
  void placed(const ServerlessGrant& grant);
  void throttle(const Call& call);
  void expire(Time now);
  Replica& replica_for(InstanceId instance);
  std::size_t window_of(Time t) const;

  Engine& engine_;
  const ScenarioConfig& scenario_;
  const UpstreamSet& upstreams_;
  PlanBoard& plans_;
  gateway::Timing& timing_;
  const std::uint64_t seed_;
  Recorder& recorder_;
  Random cold_start_random_;
  Distribution cold_start_;
  std::unique_ptr<ServerlessPool> pool_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::unordered_map<InstanceId, std::size_t> replica_of_;
  std::vector<bool> expired_;                    // per replicas_ entry
  std::unordered_map<RequestId, Call> waiting_;  // in the platform's queue
  Alarm wake_;                                   // the control loop's
  std::unique_ptr<LevelSeries> instances_;
  bool cost_taken_ = false;
  ServerlessCost cost_at_duration_;
  ServerlessStats stats_;
};

}  // namespace sluice::sim
