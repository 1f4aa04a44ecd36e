// The canary controller and partial outages inside the simulator: on the virtual clock, seeded.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/report/canary_report.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::minimal_scenario;
using testing::scenario_of;

TEST(CanarySimulationTest, APartialOutageFailsItsShareOfAttempts) {
  // One attempt per request, and a breaker that never opens: each request is one draw.
  std::string yaml = minimal_scenario(
      "  rate: 20\n", "  retry: {max_attempts: 1}\n  circuit_breaker: {failure_threshold: 1000}\n");
  yaml.replace(yaml.find("    per_token: {dist: constant, value: 10ms}\n"), 45,
               "    per_token: {dist: constant, value: 10ms}\n"
               "    outages: [{from: 0s, to: 1h, fail_with: 5xx, share: 0.3}]\n");
  Simulation simulation(scenario_of(yaml));
  const SeriesStats& t = simulation.run().totals();
  // About 1,200 requests: the failed share's sd is 0.013; 5 sd.
  ASSERT_GT(t.finished, 1000u);
  EXPECT_NEAR(static_cast<double>(t.failed()) / static_cast<double>(t.finished), 0.3, 0.066);
}

TEST(CanarySimulationTest, AnOutageShareIsAShare) {
  std::string yaml = minimal_scenario();
  yaml.replace(yaml.find("    per_token: {dist: constant, value: 10ms}\n"), 45,
               "    per_token: {dist: constant, value: 10ms}\n"
               "    outages: [{from: 0s, to: 1m, share: 0}, {from: 1m, to: 2m, share: 1.5}]\n");
  const auto errors = errors_of(yaml);
  EXPECT_TRUE(
      has_error(errors, "providers.0.outages.0.share: must be above 0 and at most 1, got 0"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "providers.0.outages.1.share: must be above 0 and at most 1"))
      << joined(errors);
}

// A candidate always 3 s to its first token against a p99_latency rule of 2 s over 20 answers.
std::string slow_candidate(long long seed) {
  std::string yaml = minimal_scenario(
      "  rate: 10\n  arrivals: uniform\n",
      "      canary:\n"
      "        alias: chat-v2\n"
      "        weight: 0.5\n"
      "        rollback: {metric: p99_latency, threshold: 2s, window: 1m, min_requests: 20}\n"
      "    - alias: chat-v2\n"
      "      deployments: [{provider: primary, model: new}]\n");
  yaml.replace(yaml.find("seed: 1\n"), 8, "seed: " + std::to_string(seed) + "\n");
  yaml.replace(yaml.find("providers:\n"), 11,
               "providers:\n"
               "  - provider: primary\n"
               "    model: new\n"
               "    ttft: {dist: constant, value: 3s}\n"
               "    per_token: {dist: constant, value: 10ms}\n");
  return yaml;
}

// The candidate's requests of a run, by arrival time.
std::vector<double> candidate_arrivals(Simulation& simulation) {
  std::vector<double> arrivals;
  simulation.on_request([&arrivals](const RequestRecord& r) {
    if (r.canary == "candidate") arrivals.push_back(r.arrival);
  });
  simulation.run();
  std::sort(arrivals.begin(), arrivals.end());
  return arrivals;
}

TEST(CanarySimulationTest, RollsBackOnTheVirtualClockAndReplaysBySeed) {
  Simulation simulation(scenario_of(slow_candidate(1)));
  const std::vector<double> arrivals = candidate_arrivals(simulation);
  const std::vector<CanaryRun> runs = collect_canaries(simulation);
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0].rollbacks.size(), 1u);
  const CanaryRollbackEvent& rollback = runs[0].rollbacks[0];
  EXPECT_EQ(rollback.reason, "p99_latency");
  EXPECT_NEAR(*rollback.candidate_value, 3.49, 3.49 * 0.045);  // 3 s + 49 tokens x 10 ms
  EXPECT_NEAR(*rollback.baseline_value, 0.59, 0.59 * 0.045);   // 100 ms + 49 x 10 ms
  // Arrivals every 100 ms, half to the candidate: its 20th arrives near 4 s (negative binomial:
  // sd 0.63 s), and its answer ends 3.49 s later. Virtual seconds; the run takes milliseconds.
  EXPECT_GT(rollback.at, 4 + 3.49 - 2);
  EXPECT_LT(rollback.at, 4 + 3.49 + 2);
  // Requests sent before the rollback still end on the candidate; none arrive after it.
  ASSERT_GE(arrivals.size(), 20u);
  EXPECT_LT(arrivals.back(), rollback.at);
  EXPECT_EQ(simulation.stats().totals().canary.candidate, arrivals.size());
  EXPECT_EQ(simulation.stats().totals().canary.candidate_failed, 0u) << "slow is not failed";

  // The same seed, the same split and rollback; another seed, another split.
  Simulation again(scenario_of(slow_candidate(1)));
  EXPECT_EQ(candidate_arrivals(again), arrivals);
  EXPECT_EQ(collect_canaries(again)[0].rollbacks[0].at, rollback.at);
  Simulation other(scenario_of(slow_candidate(2)));
  EXPECT_NE(candidate_arrivals(other), arrivals);
}

}  // namespace
}  // namespace sluice::sim
