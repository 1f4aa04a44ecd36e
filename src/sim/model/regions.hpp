#pragma once
// The regions of a run (the scenario's `regions`): which replicas of the fleet run where, where
// the clients are, the network between them, region outages, and the global load balancer
// (GlobalLoadBalancer, src/sim/platform/) that health-checks the regions and sends each client to
// the nearest healthy one.
//
// A request: its client's region is drawn by the regions' client shares; the balancer picks the
// serving region; the request reaches it after one one-way draw of the link, is served by one of
// the region's replicas (picked by replicas.load_balancer among the region's own), and its answer
// reaches the client one one-way draw later: the response's every chunk is late by that much, so
// the first chunk (TTFT) carries both ways, the last (the latency) too. While a region is down,
// its replicas answer nothing: a request that reaches it is refused (`region_down`, known to the
// client one way later), and so is every request the region held when it went down (at the
// outage's start, one way later). The replicas' own work on those runs on to its end unseen.

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/random.hpp"
#include "sim/model/call.hpp"
#include "sim/model/load_balancer.hpp"
#include "sim/model/region_link.hpp"
#include "sim/model/replica.hpp"
#include "sim/model/server_fleet.hpp"
#include "sim/platform/global_load_balancer.hpp"
#include "sim/report/run_stats.hpp"
#include "sim/scenario/distribution.hpp"

namespace sluice::sim {

struct RegionStats {
  SeriesStats served;   // requests the balancer sent to the region (arrived: when sent)
  SeriesStats clients;  // requests its clients sent, wherever they were served
};

struct RegionHealthEvent {
  double at = 0;  // seconds since the start
  std::size_t region = 0;
  bool healthy = true;  // the state the balancer moved it to
};

// One outage of a region and how the balancer followed it.
struct RegionOutageReport {
  std::size_t region = 0;
  double from = 0;
  double to = 0;
  std::optional<double> failover;  // from the outage's start to the region marked unhealthy
  std::optional<double> failback;  // from its end to the region marked healthy again
};

class Regions {
 public:
  // `fleet` holds every region's replicas, region by region in the file's order (load_scenario
  // sizes replicas.count so); finished requests go to `recorder`.
  Regions(Engine& engine, const ScenarioConfig& scenario, ServerFleet& fleet, Recorder& recorder,
          std::uint64_t seed);
  ~Regions();
  Regions(const Regions&) = delete;
  Regions& operator=(const Regions&) = delete;

  // One arrival (from a client, at the engine's now): to the region the balancer picks.
  void dispatch(Call call);
  // Health checks and outages, until `done()` holds at a wake-up.
  boost::asio::awaitable<void> run(std::function<bool()> done);

  std::size_t size() const { return regions_.size(); }
  const RegionConfig& config(std::size_t region) const {
    return scenario_.topology.regions[region];
  }
  double client_share(std::size_t region) const;
  const RegionStats& stats(std::size_t region) const { return regions_[region].stats; }
  // Requests the balancer sent to each region, per report window (the window they were sent in).
  const std::vector<std::vector<std::uint64_t>>& routed() const { return routed_; }
  const std::vector<RegionHealthEvent>& health_events() const { return events_; }
  std::vector<RegionOutageReport> outages() const;
  // The failover section with its policy's defaults.
  const FailoverConfig& failover() const { return failover_; }
  // Whether region `region` is down at `at` (in one of its outages): its replicas answer nothing.
  bool down(std::size_t region, Time at) const;
  // Region `region`'s replicas (their fleet indexes).
  const std::vector<std::size_t>& replicas_of(std::size_t region) const {
    return regions_[region].members;
  }

 private:
  // One request on its way through a region, with what the client needs to know of it.
  struct Trip {
    std::size_t client = 0;
    std::size_t serving = 0;
    double out = 0;   // seconds, client -> region
    double back = 0;  // region -> client
  };
  struct Held {
    RequestRecord record;  // the request as the client would see it fail
    double back = 0;
    bool cut = false;  // the region went down while holding it: already recorded
  };
  struct Region {
    std::vector<std::size_t> members;  // fleet indexes of its replicas
    LoadBalancer balancer{LoadBalancer::Policy::round_robin};
    std::list<Held> held;  // requests at its replicas, in arrival order
    RegionStats stats;
  };

  boost::asio::awaitable<void> deliver(Call call, Trip trip);
  // The region goes down now: the requests it holds fail.
  void cut_off(std::size_t region);
  void finish(RequestRecord& record, const Trip& trip);

  Engine& engine_;
  const ScenarioConfig& scenario_;
  ServerFleet& fleet_;
  Recorder& recorder_;
  FailoverConfig failover_;
  std::vector<Region> regions_;
  std::vector<double> client_weights_;          // cumulative
  std::vector<std::vector<RegionLink>> links_;  // [client][serving]
  std::unique_ptr<GlobalLoadBalancer> balancer_;
  Random client_random_;
  Random dns_random_;
  std::vector<std::vector<std::uint64_t>> routed_;
  std::vector<RegionHealthEvent> events_;
};

}  // namespace sluice::sim
