#pragma once
// A whole run: the engine, the shared upstreams, the replicas behind their load balancer, the
// traffic that arrives at them, and what was measured. Deterministic: the scenario (its seed
// included) decides every event, so a run replays byte for byte.

#include <functional>
#include <memory>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/virtual_timing.hpp"
#include "sim/model/async_workers.hpp"
#include "sim/model/key_book.hpp"
#include "sim/model/regions.hpp"
#include "sim/model/replica.hpp"
#include "sim/model/request_mix.hpp"
#include "sim/model/server_fleet.hpp"
#include "sim/model/serverless_fleet.hpp"
#include "sim/report/key_stats.hpp"
#include "sim/report/metric_counters.hpp"
#include "sim/report/metrics_timeline.hpp"
#include "sim/report/run_stats.hpp"
#include "sim/scenario/distribution.hpp"

namespace sluice::sim {

class Simulation final : private Recorder {
 public:
  // `scenario` must be valid (load_scenario checked it).
  explicit Simulation(ScenarioConfig scenario);
  ~Simulation() override;

  // Called with every request as it finishes (tests, detailed output). Set before run().
  void on_request(std::function<void(const RequestRecord&)> observer) {
    observer_ = std::move(observer);
  }

  // Snapshots every replica's registry (as target replica-N) into `timeline` every
  // `scrape_interval_seconds` of virtual time, from 0 until the first scrape after the last
  // request ended, as Prometheus would scrape the replicas: a replica whose region is down, or
  // that drains (scaled in), fails its scrapes (up 0); one that stopped (drained to its end, an
  // expired serverless instance) is not scraped after it, its first scrape failing if none had.
  // Set before run(); `timeline` must outlive it, and the caller finish()es it. A failed
  // snapshot (the byte bound) stops the scraping and ends the arrivals; timeline.finish() then
  // returns the error.
  void scrape_into(MetricsTimeline& timeline, double scrape_interval_seconds);

  // Runs the scenario: arrivals until its duration, then every request still in flight to its
  // end. Once only.
  const RunStats& run();

  const ScenarioConfig& scenario() const { return scenario_; }
  const RunStats& stats() const { return stats_; }
  // When the last request ended, seconds since the start.
  double ended_at() const { return ended_at_; }
  // Virtual-time events the engine fired.
  std::uint64_t events() const { return engine_.timers_fired(); }
  // Every replica that was ever ready (an autoscaled fleet's removed ones included), or every
  // serverless instance that ever served.
  std::size_t replica_count() const { return serverless_ ? serverless_->size() : fleet_.size(); }
  const Replica& replica(std::size_t i) const {
    return serverless_ ? serverless_->replica(i) : fleet_.replica(i);
  }
  const ServerFleet& fleet() const { return fleet_; }
  // Per `keys` entry: its requests' refusals, downgrades and spend.
  const KeyStats& key_stats() const { return key_stats_; }
  // With scenario regions: where the replicas and clients are, and how failover went; else null.
  const Regions* regions() const { return regions_.get(); }
  // platform kind serverless: the instances; null otherwise.
  const ServerlessFleet* serverless() const { return serverless_.get(); }
  // platform kind hybrid: the async tier (job queue and workers); null otherwise.
  const AsyncWorkers* async_workers() const { return async_.get(); }
  // What the platform bills (the always-on replicas, or the serverless pool; and a hybrid
  // platform's workers), beside the upstream cost of the requests. After run().
  double platform_cost_usd() const;

 private:
  boost::asio::awaitable<void> generate();
  boost::asio::awaitable<void> replay();
  // Sends an arrival to the replica the load balancer picks (to the serverless pool, or to the
  // job queue for an async mix entry on a hybrid platform).
  void dispatch(Call call);
  // hybrid: a worker's call to the API tier; `then` hears its record after the run does.
  void send(Call call, std::function<void(const RequestRecord&)> then);
  boost::asio::awaitable<void> attempt(Replica& replica, Call call,
                                       std::function<void(const RequestRecord&)> then);
  boost::asio::awaitable<void> tick();
  boost::asio::awaitable<void> scrape();
  // Tells timeline_ which replicas stopped or cannot be reached now.
  void note_scrape_targets();
  // Every replica's usage ledger flushes to the shared store each KeyBook::kFlushPeriod.
  boost::asio::awaitable<void> flush_usage();
  Call draw_call(double arrival, Random& random) const;
  RegistryCounters read_registries() const;
  void record(const RequestRecord& record) override;

  const ScenarioConfig scenario_;
  Engine engine_;
  VirtualTiming timing_;
  PlanBoard plans_;
  UpstreamSet upstreams_;
  std::unique_ptr<KeyBook> keys_;  // null: no key, rate limit or budget applies
  ServerFleet fleet_;
  std::unique_ptr<Regions> regions_;  // with scenario regions only
  std::unique_ptr<ServerlessFleet> serverless_;
  std::unique_ptr<AsyncWorkers> async_;
  RequestMix mix_;
  std::vector<int> mix_keys_;  // per mix entry: the KeyBook index of its key; -1: none
  RunStats stats_;
  KeyStats key_stats_;
  std::function<void(const RequestRecord&)> observer_;
  MetricsTimeline* timeline_ = nullptr;
  std::size_t scraped_replicas_ = 0;  // fleet replicas already in timeline_
  enum class TargetState : std::uint8_t { reachable, unreachable, stopped };
  std::vector<TargetState> target_states_;  // per replica in timeline_, as last told to it
  double scrape_interval_ = MetricsTimeline::kDefaultScrapeIntervalSeconds;
  bool stopped_ = false;  // a failed snapshot: no more arrivals
  bool generating_ = true;
  std::int64_t in_flight_ = 0;
  double ended_at_ = 0;
  bool ran_ = false;
};

}  // namespace sluice::sim
