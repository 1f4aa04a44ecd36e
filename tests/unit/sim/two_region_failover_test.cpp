// The shipped two-region example's headline numbers, from first principles: each expected value
// is worked out here from the scenario's own parameters, never copied from a run.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/scenario/distribution_spec.hpp"
#include "sim/scenario/region_topology.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

// The mean time a request spends at its region: the upstream's time to first token, then each
// further token of the mix's mean answer (no queueing: the example's admission has room).
double mean_service_seconds(const ScenarioConfig& s) {
  double tokens = 0;
  double weights = 0;
  for (const MixEntryConfig& m : s.traffic.mix) {
    tokens += m.weight * to_distribution(m.completion_tokens).mean();
    weights += m.weight;
  }
  const UpstreamConfig& upstream = s.providers.at(0);
  return to_distribution(upstream.ttft).mean() +
         to_distribution(upstream.per_token).mean() * (tokens / weights - 1);
}

double one_way(const TopologyConfig& t, const std::string& from, const std::string& to) {
  const RegionLinkConfig* link = link_between(t, from, to);
  return link ? to_distribution(link->one_way).mean() : 0;
}

TEST(TwoRegionFailoverExampleTest, FailsOverWithinTheHealthChecksAndBackWithTheNetworkAdded) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/two-region-failover.yaml");
  ASSERT_TRUE(loaded) << core::to_string(loaded.error().at(0));
  const ScenarioConfig scenario = *loaded;
  const TopologyConfig& topology = scenario.topology;
  ASSERT_EQ(topology.regions.size(), 2u);
  const RegionConfig& failing = topology.regions[0];
  const RegionConfig& other = topology.regions[1];
  ASSERT_EQ(failing.outages.size(), 1u);
  ASSERT_TRUE(other.outages.empty());
  const double from = failing.outages[0].from.count();
  const double to = failing.outages[0].to.count();
  const FailoverConfig failover = failover_defaults(topology.failover);
  const double interval = failover.interval.count();
  const double rate = scenario.traffic.rate;
  const double share = failing.clients / (failing.clients + other.clients);
  const double home = one_way(topology, failing.name, failing.name);
  const double remote = one_way(topology, failing.name, other.name);
  const double ttft = to_distribution(scenario.providers.at(0).ttft).mean();
  ASSERT_EQ(scenario.providers.at(0).ttft.dist, "constant") << "the TTFT checks need it fixed";

  struct Seen {
    std::size_t client_region;
    std::size_t region;
    Cause cause;
    double end;
    std::optional<double> ttft;
    int attempts;
  };
  std::vector<Seen> seen;
  Simulation simulation(scenario);
  simulation.on_request([&](const RequestRecord& r) {
    seen.push_back({r.client_region, r.region, r.cause, r.end, r.ttft, r.attempts});
  });
  const RunStats& stats = simulation.run();
  const Regions& regions = *simulation.regions();

  // Failover: the first check at or after the outage's start fails, and unhealthy_threshold of
  // them in a row take (threshold - 1) intervals more: between (threshold - 1) and threshold
  // intervals after the start. Failback likewise with healthy_threshold.
  const std::vector<RegionOutageReport> outages = regions.outages();
  ASSERT_EQ(outages.size(), 1u);
  ASSERT_TRUE(outages[0].failover);
  ASSERT_TRUE(outages[0].failback);
  const double detected = *outages[0].failover;
  const double recovered = *outages[0].failback;
  EXPECT_GE(detected, (failover.unhealthy_threshold - 1) * interval);
  EXPECT_LT(detected, failover.unhealthy_threshold * interval);
  EXPECT_GE(recovered, (failover.healthy_threshold - 1) * interval);
  EXPECT_LT(recovered, failover.healthy_threshold * interval);

  // The failed requests: those that reached the region during the detection (sent from one
  // one-way trip before the start until the balancer moved), and those it held at the start
  // (M/G/infinity: a Poisson count with mean rate x mean time there). Both Poisson, so the sum's
  // standard deviation is the square root of its mean; 4 of them allowed.
  const double expected_failed = rate * share * (detected + home + mean_service_seconds(scenario));
  const double region_down =
      static_cast<double>(stats.totals().causes[static_cast<std::size_t>(Cause::region_down)]);
  EXPECT_NEAR(region_down, expected_failed, 4 * std::sqrt(expected_failed));
  EXPECT_EQ(stats.totals().failed(), static_cast<std::uint64_t>(region_down))
      << "nothing but the outage fails";
  // Each failed request is the failing region's, and its client learned of it within the
  // detection (plus the way back).
  std::uint64_t elsewhere = 0;
  for (const Seen& s : seen)
    if (s.cause != Cause::none && (s.region != 0 || s.client_region != 0 || s.end < from ||
                                   s.end > from + detected + 2 * home + 1e-6))
      ++elsewhere;
  EXPECT_EQ(elsewhere, 0u);

  // The network: a stream's first chunk is late by both ways of its trip, nothing else (the
  // upstream's TTFT is constant and nothing queues). Clients of the failing region pay the way to
  // the other region while it serves them.
  std::uint64_t moved = 0;
  std::uint64_t off = 0;
  for (const Seen& s : seen) {
    if (s.cause != Cause::none || !s.ttft || s.attempts != 1) continue;
    const double way = s.client_region == s.region ? home : remote;
    if (std::abs(*s.ttft - (ttft + 2 * way)) > 1e-6) ++off;  // the clock counts nanoseconds
    if (s.client_region == 0 && s.region == 1) ++moved;
  }
  EXPECT_EQ(off, 0u) << "streams whose first chunk was not late by exactly their trip";
  const double moved_requests =
      static_cast<double>(regions.stats(0).clients.requests) -
      static_cast<double>(regions.stats(0).served.requests);  // the failing region's, served away
  const double expected_moved = rate * share * ((to + recovered) - (from + detected));
  EXPECT_NEAR(moved_requests, expected_moved, 4 * std::sqrt(expected_moved));
  EXPECT_GT(moved, 0u);

  // Traffic by region, per window: the client share before the outage and after the failback
  // (within 4 binomial standard deviations), none while failed over.
  const double window = scenario.window.count();
  const auto& routed = regions.routed();
  for (std::size_t w = 0; w < routed.size(); ++w) {
    const double start = static_cast<double>(w) * window;
    const double n = static_cast<double>(routed[w][0] + routed[w][1]);
    const double there = static_cast<double>(routed[w][0]) / n;
    const double sd = std::sqrt(share * (1 - share) / n);
    if (start + window <= from || start >= to + failover.healthy_threshold * interval) {
      EXPECT_NEAR(there, share, 4 * sd) << "window " << w;
    } else if (start >= from + failover.unhealthy_threshold * interval && start + window <= to) {
      EXPECT_EQ(routed[w][0], 0u) << "window " << w;
    }
  }
}

}  // namespace
}  // namespace sluice::sim
