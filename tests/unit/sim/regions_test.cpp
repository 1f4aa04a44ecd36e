// Regions in a scenario: the keys and their checks, the network's share of each request, outages
// and the global load balancer's failover, and the report's region sections.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>

#include "sim/report/report_json.hpp"
#include "sim/report/report_summary.hpp"
#include "sim/scenario/region_topology.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::minimal_scenario;
using testing::scenario_of;

// The minimal scenario (100 ms to the first token, 10 ms a token, 50 tokens: 0.59 s a request)
// with `regions` (top-level keys) appended.
std::string with_regions(const std::string& regions, const std::string& traffic = "  rate: 10\n") {
  return minimal_scenario(traffic, regions);
}

const std::string kTwoRegions =
    "regions:\n"
    "  - {name: east, replicas: 2, clients: 3}\n"
    "  - {name: west, replicas: 1, clients: 1}\n"
    "region_latency:\n"
    "  - {from: east, to: west, one_way: {dist: constant, value: 30ms}}\n";

TEST(RegionsScenarioTest, TheFleetIsEveryRegionsReplicasAndFailoverTakesItsPolicyDefaults) {
  const ScenarioConfig s = scenario_of(with_regions(kTwoRegions));
  ASSERT_EQ(s.topology.regions.size(), 2u);
  EXPECT_EQ(s.replicas.count, 3);
  const FailoverConfig gclb = failover_defaults(s.topology.failover);
  EXPECT_EQ(gclb.policy, "gclb");
  EXPECT_EQ(gclb.interval.count(), 5);
  EXPECT_EQ(gclb.unhealthy_threshold, 2);
  EXPECT_EQ(gclb.healthy_threshold, 2);
  EXPECT_EQ(gclb.dns_ttl.count(), 0);
  const ScenarioConfig r = scenario_of(with_regions(
      kTwoRegions + "failover: {policy: route53, interval: 10s, unhealthy_threshold: 4}\n"));
  const FailoverConfig route53 = failover_defaults(r.topology.failover);
  EXPECT_EQ(route53.interval.count(), 10);
  EXPECT_EQ(route53.unhealthy_threshold, 4);
  EXPECT_EQ(route53.healthy_threshold, 4) << "one failure threshold both ways";
  EXPECT_EQ(route53.dns_ttl.count(), 60);
  // The reverse pair shares an entry; a region's own clients reach it in no time by default.
  EXPECT_NE(link_between(s.topology, "west", "east"), nullptr);
  EXPECT_EQ(link_between(s.topology, "east", "east"), nullptr);
}

TEST(RegionsScenarioTest, KeysAreCheckedWithTheirPaths) {
  const auto errors = errors_of(with_regions(
      "regions:\n"
      "  - {name: east, replica: 2}\n"
      "  - {name: east, replicas: -1, clients: -2, outages: [{from: 5m, to: 4m}]}\n"
      "  - {name: north, replicas: 0}\n"
      "  - {name: 'sou th', replicas: 0, clients: 0}\n"
      "region_latency:\n"
      "  - {from: east, to: sotuh, one_way: {dist: constant, value: 30ms}}\n"
      "  - {from: east, to: north, one_way: {dist: constant, value: 30ms},\n"
      "     rtt: {dist: constant, value: 60ms}}\n"
      "  - {from: north, to: east}\n"
      "  - {from: east, to: north, rtt: {dist: lognormal, median: 60ms, p99: 50ms}}\n"
      "failover: {policy: route53, interval: 15s, healthy_threshold: 2, unhealthy_threshold: 11}\n"
      "replicas: {count: 3}\n"
      "platform: {kind: server}\n"));
  const std::string all = joined(errors);
  EXPECT_TRUE(has_error(errors, "regions.0.replica: unknown key")) << all;
  EXPECT_NE(all.find("did you mean regions.0.replicas?"), std::string::npos) << all;
  EXPECT_TRUE(has_error(errors, "regions.1.name: 'east' names an earlier region")) << all;
  EXPECT_TRUE(has_error(errors, "regions.1.replicas: must be between 0 and 1000")) << all;
  EXPECT_TRUE(has_error(errors, "regions.3.name: 'sou th' has characters other than")) << all;
  EXPECT_TRUE(has_error(errors, "regions.1.clients: must not be negative")) << all;
  EXPECT_TRUE(has_error(errors, "regions.1.outages.0.to: must be later than from")) << all;
  EXPECT_TRUE(has_error(errors, "region_latency.0.to: 'sotuh' is not a region")) << all;
  EXPECT_TRUE(has_error(errors, "region_latency.1: gives both one_way and rtt")) << all;
  EXPECT_TRUE(has_error(errors, "region_latency.2: gives neither one_way nor rtt")) << all;
  EXPECT_TRUE(has_error(errors, "region_latency.3: the network from east to north is given"))
      << all;
  EXPECT_TRUE(has_error(errors, "region_latency.3.rtt.p99: must be greater than median")) << all;
  EXPECT_TRUE(has_error(errors, "failover.interval: must be 10s or 30s for route53")) << all;
  EXPECT_TRUE(has_error(errors, "failover.unhealthy_threshold: must be between 1 and 10")) << all;
  EXPECT_TRUE(has_error(errors, "failover.healthy_threshold: differs from unhealthy_threshold"))
      << all;
  EXPECT_TRUE(has_error(errors, "replicas.count: is given together with regions")) << all;
  EXPECT_TRUE(has_error(errors, "platform: is not simulated together with regions")) << all;
}

TEST(RegionsScenarioTest, EveryPairTheBalancerMayUseNeedsItsNetwork) {
  const auto errors =
      errors_of(with_regions("regions:\n"
                             "  - {name: east, replicas: 1}\n"
                             "  - {name: west, replicas: 1}\n"
                             "  - {name: edge, replicas: 0, clients: 2}\n"
                             "region_latency:\n"
                             "  - {from: east, to: west, one_way: {dist: constant, value: 30ms}}\n"
                             "  - {from: edge, to: east, rtt: {dist: constant, value: 20ms}}\n"));
  const std::string all = joined(errors);
  EXPECT_TRUE(has_error(errors, "region_latency: no network from edge to west")) << all;
  EXPECT_EQ(errors.size(), 1u) << all;
}

TEST(RegionsScenarioTest, RegionKeysNeedRegionsAndSomeReplicasAndClients) {
  auto errors = errors_of(with_regions("failover: {interval: 0s}\n"));
  EXPECT_TRUE(has_error(errors, "failover: is given without regions")) << joined(errors);
  errors = errors_of(
      with_regions("regions: [{name: a, replicas: 0}, {name: b, replicas: 0, clients: 0}]\n"
                   "failover: {interval: 0s, dns_ttl: 30s}\n"));
  EXPECT_TRUE(has_error(errors, "regions: no region has replicas")) << joined(errors);
  EXPECT_TRUE(has_error(errors, "failover.interval: must be between 1s and 300s"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "failover.dns_ttl: is given for policy gclb")) << joined(errors);
  errors = errors_of(with_regions("regions: [{name: a, clients: 0}]\nfailover: {policy: dns}\n"));
  EXPECT_TRUE(has_error(errors, "regions: no region has clients")) << joined(errors);
  EXPECT_TRUE(has_error(errors, "failover.policy: unknown policy 'dns'")) << joined(errors);
}

// One request's record at a time, kept for the checks.
struct Runs {
  explicit Runs(const ScenarioConfig& scenario) : simulation(scenario) {
    simulation.on_request([this](const RequestRecord& r) { records.push_back(r); });
    simulation.run();
  }
  Simulation simulation;
  std::vector<RequestRecord> records;
};

// The network: each request's latency is its upstream time plus both ways of its trip, a stream's
// first chunk likewise; rtt gives half each way. Clients of a region without replicas go to the
// nearest region that has some.
TEST(RegionsSimulationTest, TheNetworkAddsBothWaysToLatencyAndTimeToFirstToken) {
  const std::string regions =
      "regions:\n"
      "  - {name: core, replicas: 2, clients: 1}\n"
      "  - {name: edge, replicas: 0, clients: 1}\n"
      "  - {name: far, replicas: 1, clients: 0}\n"
      "region_latency:\n"
      "  - {from: core, to: core, one_way: {dist: constant, value: 1ms}}\n"
      "  - {from: edge, to: core, rtt: {dist: constant, value: 60ms}}\n"
      "  - {from: edge, to: far, one_way: {dist: constant, value: 90ms}}\n"
      "  - {from: core, to: far, one_way: {dist: constant, value: 90ms}}\n";
  ScenarioConfig s = scenario_of(with_regions(regions));
  s.traffic.mix[0].stream = true;
  Runs run(s);
  const double upstream = 0.1 + 0.01 * 49;  // ttft + 49 more tokens
  std::size_t from_edge = 0;
  for (const RequestRecord& r : run.records) {
    ASSERT_EQ(r.cause, Cause::none);
    EXPECT_EQ(r.region, 0u) << "the nearest region with replicas";
    const double way = r.client_region == 1 ? 0.030 : 0.001;
    EXPECT_NEAR(r.latency(), upstream + 2 * way, 1e-6);
    ASSERT_TRUE(r.ttft);
    EXPECT_NEAR(*r.ttft, 0.1 + 2 * way, 1e-6);
    if (r.client_region == 1) ++from_edge;
  }
  EXPECT_GT(from_edge, 200u);  // half of 600
  EXPECT_LT(from_edge, 400u);
  // Replicas 0 and 1 are core's, 2 is far's: it served nothing.
  EXPECT_EQ(run.simulation.regions()->stats(2).served.requests, 0u);
  EXPECT_EQ(run.simulation.regions()->replicas_of(2), std::vector<std::size_t>{2});
}

// An outage: requests held at the start fail at once (one way later for the client), those that
// arrive during the detection fail on arrival, then the other region serves until the failback.
// Constant arrivals and service times make every count exact.
TEST(RegionsSimulationTest, AnOutageFailsTheHeldAndTheArrivingUntilTheBalancerMoves) {
  const std::string regions =
      "regions:\n"
      "  - {name: east, replicas: 1, outages: [{from: 20050ms, to: 40s}]}\n"
      "  - {name: west, replicas: 1, clients: 0}\n"
      "region_latency:\n"
      "  - {from: east, to: west, one_way: {dist: constant, value: 50ms}}\n"
      "failover: {interval: 2s, unhealthy_threshold: 3, healthy_threshold: 1}\n";
  Runs run(scenario_of(with_regions(regions, "  rate: 10\n  arrivals: uniform\n")));
  const Regions& r = *run.simulation.regions();
  const auto outages = r.outages();
  ASSERT_EQ(outages.size(), 1u);
  ASSERT_TRUE(outages[0].failover);
  ASSERT_TRUE(outages[0].failback);
  const double detected = 20.05 + *outages[0].failover;
  const double back = 40 + *outages[0].failback;
  EXPECT_GE(*outages[0].failover, 4);  // (3 - 1) x 2 s
  EXPECT_LT(*outages[0].failover, 6);  // 3 x 2 s
  EXPECT_GE(*outages[0].failback, 0);
  EXPECT_LT(*outages[0].failback, 2);
  // Arrivals every 0.1 s, each held 0.59 s: 6 held at 20.05 s (sent at 19.5 .. 20.0, cut then)
  // and one every 0.1 s from 20.05 s until the balancer moves.
  std::size_t held = 0;
  std::size_t refused = 0;
  std::size_t away = 0;
  for (const RequestRecord& rec : run.records) {
    if (rec.region == 1) {
      ++away;
      EXPECT_EQ(rec.cause, Cause::none);
      EXPECT_GE(rec.arrival, detected);
      EXPECT_LT(rec.arrival, back);
      EXPECT_NEAR(rec.latency(), 0.59 + 0.1, 1e-6);
      continue;
    }
    if (rec.cause == Cause::none) continue;
    EXPECT_EQ(rec.cause, Cause::region_down);
    if (rec.arrival < 20.05) {
      ++held;
      EXPECT_NEAR(rec.end, 20.05, 1e-6);
    } else {
      ++refused;
      EXPECT_LT(rec.arrival, detected);
      EXPECT_NEAR(rec.end, rec.arrival, 1e-6);  // refused on arrival, no network
    }
  }
  EXPECT_EQ(held, 6u);
  EXPECT_NEAR(static_cast<double>(refused), (detected - 20.05) * 10, 1);
  EXPECT_NEAR(static_cast<double>(away), (back - detected) * 10, 1);
  // The held requests' own work went on, unseen: the run still counts each request once.
  EXPECT_EQ(run.records.size(), run.simulation.stats().totals().requests);
}

// route53: clients keep their DNS answer for a TTL, so requests keep going to the failed region
// for up to one TTL after the balancer moved, fewer and fewer.
TEST(RegionsSimulationTest, ADnsTtlKeepsClientsOnTheFailedRegionForUpToOneTtl) {
  const std::string regions =
      "regions:\n"
      "  - {name: east, replicas: 1, outages: [{from: 30s, to: 5m}]}\n"
      "  - {name: west, replicas: 1, clients: 0}\n"
      "region_latency:\n"
      "  - {from: east, to: west, one_way: {dist: constant, value: 50ms}}\n"
      "failover: {policy: route53, interval: 10s, unhealthy_threshold: 1, dns_ttl: 60s}\n";
  ScenarioFlags two_minutes;  // a whole TTL after the move
  two_minutes.duration = "2m";
  Runs run(scenario_of(with_regions(regions, "  rate: 20\n"), two_minutes));
  const auto outages = run.simulation.regions()->outages();
  ASSERT_TRUE(outages.at(0).failover);
  const double moved = 30 + *outages[0].failover;
  double first_late = 1e9;
  double last_refused = 0;
  std::size_t after = 0;
  for (const RequestRecord& r : run.records) {
    if (r.cause != Cause::region_down) continue;
    last_refused = std::max(last_refused, r.arrival);
    if (r.arrival >= moved) {
      ++after;
      first_late = std::min(first_late, r.arrival);
    }
  }
  EXPECT_LT(last_refused, moved + 60);
  EXPECT_LT(first_late, moved + 5);
  // Refused after the move: the clients still on the old answer, a share falling from 1 to 0
  // over the TTL: rate x TTL / 2 = 600 (Poisson, 4 standard deviations ~ 100).
  EXPECT_NEAR(static_cast<double>(after), 20 * 60 / 2.0, 100);
}

TEST(RegionsSimulationTest, TheReportHasTheRegionsTheirWindowsAndTheFailover) {
  const std::string regions =
      "regions:\n"
      "  - {name: east, replicas: 2, clients: 3}\n"
      "  - {name: west, replicas: 1, clients: 1, outages: [{from: 20s, to: 40s}]}\n"
      "region_latency:\n"
      "  - {from: east, to: west, one_way: {dist: constant, value: 30ms}}\n";
  const ScenarioConfig s = scenario_of(with_regions(regions));
  Simulation simulation(s);
  simulation.run();
  const std::string text = render_report_json(simulation, "test.yaml");
  const boost::json::value report = boost::json::parse(text);
  const auto& failover = report.at("failover");
  EXPECT_EQ(failover.at("policy").as_string(), "gclb");
  EXPECT_EQ(failover.at("outages").as_array().size(), 1u);
  EXPECT_EQ(failover.at("outages").at(0).at("region").as_string(), "west");
  EXPECT_EQ(failover.at("health_events").as_array().size(), 2u);
  const auto& list = report.at("regions").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("region").as_string(), "east");
  EXPECT_EQ(list[0].at("replicas").as_int64(), 2);
  EXPECT_NEAR(list[0].at("client_share").as_double(), 0.75, 1e-9);
  EXPECT_GT(list[1].at("served").at("errors").at("region_down").as_int64(), 0);
  const auto& window = report.at("windows").at(0).at("regions").as_array();
  ASSERT_EQ(window.size(), 2u);
  EXPECT_NEAR(window[0].at("share").as_double() + window[1].at("share").as_double(), 1, 1e-5);
  EXPECT_GT(report.at("totals").at("errors").at("region_down").as_int64(), 0);
  const std::string summary = render_summary(simulation, "test.yaml", 1);
  EXPECT_NE(summary.find("region     west: 1 replica, 25.0% of clients"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("outage     west down 20s to 40s: failed over after"), std::string::npos)
      << summary;
  // The same scenario and seed: the same report.
  Simulation again(s);
  again.run();
  EXPECT_EQ(render_report_json(again, "test.yaml"), text);
}

}  // namespace
}  // namespace sluice::sim
