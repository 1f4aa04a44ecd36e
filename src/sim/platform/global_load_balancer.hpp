#pragma once
// The global load balancer in front of a multi-region deployment, with time as an input: it
// health-checks each region, and sends each client to the nearest healthy region. The engine
// calls check() when next_check() comes (passing whether the region answered) and route() for
// every request.
//
// What it follows, and where each rule comes from:
// - Health checks: one checker per region probes it every `interval`, from a phase of its own
//   (the engine draws it: checkers are not aligned with anything a scenario does). A healthy
//   region becomes unhealthy after `unhealthy_threshold` consecutive failed probes; an unhealthy
//   one healthy again after `healthy_threshold` consecutive passed ones; a probe of the other kind
//   restarts the count. That is Google Cloud's health check (checkIntervalSec, default 5;
//   unhealthyThreshold and healthyThreshold, default 2; gcloud compute health-checks create) and
//   Route 53's ("the number of consecutive health checks that an endpoint must pass or fail ...
//   to change the current status", FailureThreshold, default 3, RequestInterval 10 or 30 s;
//   Route 53 API Reference, HealthCheckConfig). Route 53 runs checkers in several locations and
//   calls an endpoint healthy while more than 18 % of them do (Route 53 Developer Guide, "How
//   Amazon Route 53 determines whether a health check is healthy"); the model keeps one checker,
//   whose count decides alone.
// - Routing: each client region goes to the region with backends that is nearest to it (the
//   smallest `distance`, ties to the lower index) among the healthy ones: Google Cloud's global
//   load balancers send traffic "to the backend region closest to" the client and fail over "to
//   the next closest region" when a region is down (Global external passthrough Network Load
//   Balancer overview; LoadBalancingAlgorithm WATERFALL_BY_REGION), Route 53 latency records
//   answer with the lowest-latency healthy record (Route 53 Developer Guide, "Latency-based
//   routing" and "How Amazon Route 53 chooses records when health checking is configured").
//   Capacity-based spill-over to another region is not modelled.
// - When no region is healthy, every region with backends counts as healthy (Route 53: "If no
//   record is healthy, all records are healthy"). Google Cloud's load balancer would answer
//   502 instead; either way the client's nearest region gets the request.
// - DNS (dns_ttl > 0, Route 53): a client keeps a resolved answer for the record's TTL, so a
//   change of health reaches clients over one TTL: a request at `now` routes by the health as it
//   was when its client's answer was resolved, `cache_draw x dns_ttl` earlier (the engine draws
//   cache_draw uniformly in [0, 1): clients' caches expire uniformly over a TTL). With dns_ttl 0
//   (Google Cloud's anycast address) every request routes by the health now.
// Not modelled: a probe's own timeout (a down region refuses the probe's connection at once),
// flapping detection, capacity (balancingMode, maxUtilization) and partial region health.

#include <cstddef>
#include <optional>
#include <vector>

#include "sim/platform/time.hpp"

namespace sluice::sim {

struct GlobalLoadBalancerConfig {
  Duration interval = std::chrono::seconds(5);
  int unhealthy_threshold = 2;
  int healthy_threshold = 2;
  Duration dns_ttl = Duration::zero();
};

struct RegionHealthChange {
  std::size_t region = 0;
  bool healthy = true;  // the state it changed to
  Time at{};
};

class GlobalLoadBalancer {
 public:
  // `distance[c][s]`: how far region s is from the clients of region c (the engine passes the
  // mean one-way latency). `has_backends[s]`: region s has replicas; one without is never a
  // target and never checked. `first_check[s]`: when region s is first checked (its checker's
  // phase); every region starts healthy. Throws std::invalid_argument on a non-positive interval,
  // a threshold below 1, a negative TTL, sizes that differ, or no region with backends.
  GlobalLoadBalancer(GlobalLoadBalancerConfig config, std::vector<std::vector<double>> distance,
                     std::vector<bool> has_backends, std::vector<Time> first_check);

  std::size_t regions() const { return regions_.size(); }
  // When region `region` is checked next; Time::max() for a region without backends.
  Time next_check(std::size_t region) const;
  // Region `region`'s check at `now` (its next_check()): `answered` whether it passed. Returns
  // the change of state it brought, if any. Checks of a region come in time order.
  std::optional<RegionHealthChange> check(std::size_t region, Time now, bool answered);
  bool healthy(std::size_t region) const { return regions_[region].healthy; }

  // The region a request from clients of region `client` at `now` goes to; `cache_draw` in
  // [0, 1) places its client's DNS answer within the TTL (unused without one). Calls come in
  // time order, not before the last check.
  std::size_t route(std::size_t client, Time now, double cache_draw) const;

  const GlobalLoadBalancerConfig& config() const { return config_; }

 private:
  struct Region {
    bool has_backends = false;
    bool healthy = true;
    int streak = 0;  // consecutive probes that disagree with `healthy`
    Time next_check{};
    // The state before the oldest change kept, and the changes of the last TTL (oldest first).
    bool healthy_before = true;
    std::vector<std::pair<Time, bool>> changes;
  };
  bool healthy_at(const Region& region, Time at) const;

  GlobalLoadBalancerConfig config_;
  std::vector<std::vector<double>> distance_;
  std::vector<Region> regions_;
};

}  // namespace sluice::sim
