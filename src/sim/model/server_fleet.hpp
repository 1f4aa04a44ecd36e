#pragma once
// The always-on gateway instances of a run and what runs them: a fixed fleet (the `replicas`
// section), or `platform: {kind: server}`: a ReplicaProvisioner (replicas start after a sampled
// delay, drain when removed), an autoscaler (the Kubernetes HPA or ECS target tracking) fed with
// metrics sampled from the replicas themselves, and the always-on bill. New replicas are real
// replicas (their own Catalog, GatewayService, metrics and admission gates); the load balancer
// sends arrivals to ready ones only; a draining replica takes no new request and is gone when its
// last one ends (or at platform.drain_grace).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/random.hpp"
#include "sim/model/autoscaler.hpp"
#include "sim/model/load_balancer.hpp"
#include "sim/model/replica.hpp"
#include "sim/platform/always_on_cost.hpp"
#include "sim/platform/replica_provisioner.hpp"
#include "sim/report/level_series.hpp"
#include "sim/scenario/distribution.hpp"

namespace sluice::sim {

// Ready replicas over one report window: the fewest and most at any instant, and the time mean.
using ReplicaWindow = LevelWindow;

struct FleetStats {
  std::vector<ReplicaWindow> windows;
  std::vector<ScaleEvent> scale_events;
  int peak_ready = 0;
  double replica_hours = 0;  // provisioned (starting, ready, draining) over the duration
  double cost_usd = 0;       // the always-on bill over the duration
};

class ServerFleet {
 public:
  // `keys`: what every replica charges requests to (Replica's); null: nothing.
  ServerFleet(Engine& engine, const ScenarioConfig& scenario, const UpstreamSet& upstreams,
              PlanBoard& plans, gateway::Timing& timing, std::uint64_t seed,
              KeyBook* keys = nullptr);
  ~ServerFleet();

  // Whether an autoscaler runs (control() must then be spawned).
  bool autoscaled() const { return autoscaler_ != nullptr; }

  // The ready replica the load balancer sends an arrival to.
  Replica& pick();
  // Replica `index`, for a caller that picks it itself (a region's own balancer).
  Replica& route_to(std::size_t index) { return *replicas_[index]; }
  // A request at replica `index` ended (a draining replica may now be gone).
  void request_ended(std::size_t index);

  // Samples the replicas every second, runs the autoscaler every period and applies replica
  // transitions, until `done()` holds at a wake-up.
  boost::asio::awaitable<void> control(std::function<bool()> done);

  // Closes the series at the end of the run (`windows` report windows).
  void finish(std::size_t windows);

  std::size_t size() const { return replicas_.size(); }
  const Replica& replica(std::size_t i) const { return *replicas_[i]; }
  // Whether replica `i` is draining: removed, finishing its requests, taking no new one.
  bool draining(std::size_t i) const { return draining_[i]; }
  // Whether replica `i` is gone: drained to its last request, or removed at its drain_grace.
  bool stopped(std::size_t i) const { return stopped_[i]; }
  int ready() const { return static_cast<int>(ready_.size()); }
  const FleetStats& stats() const { return stats_; }

 private:
  // Per replica: the metric samples since the last evaluation, and its counters then.
  struct Sampled {
    double in_flight = 0;
    double queued = 0;
    double busy = 0;
    int samples = 0;
    double tokens_before = 0;
    double cost_before = 0;
    Time since{};
  };

  void add_replica(ReplicaId id);
  void apply(const std::vector<ReplicaTransition>& transitions);
  void sample();
  // The metric of replica `index` over the period ending now, in the autoscaler's unit.
  double metric_of(std::size_t index);
  void evaluate();
  void note_ready_count();
  void snapshot_cost();

  Engine& engine_;
  const ScenarioConfig& scenario_;
  const UpstreamSet& upstreams_;
  PlanBoard& plans_;
  gateway::Timing& timing_;
  const std::uint64_t seed_;
  KeyBook* keys_;
  Random startup_random_;
  Distribution startup_;
  LoadBalancer balancer_;
  std::vector<std::unique_ptr<Replica>> replicas_;  // every replica that ever was ready
  std::vector<ReplicaId> ids_;                      // provisioner id of replicas_[i]
  std::vector<bool> draining_;
  std::vector<bool> stopped_;
  std::vector<Sampled> sampled_;
  std::vector<std::size_t> ready_;  // indexes of ready replicas, increasing
  std::unique_ptr<ReplicaProvisioner> provisioner_;
  std::unique_ptr<Autoscaler> autoscaler_;
  std::unique_ptr<AlwaysOnCost> cost_;
  bool cost_taken_ = false;
  std::unique_ptr<LevelSeries> ready_series_;
  FleetStats stats_;
};

}  // namespace sluice::sim
