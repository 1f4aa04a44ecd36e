// examples/simulate/canary-rollback.yaml's headline numbers, from first principles: the
// scenario's own parameters and the rollback rule's arithmetic, never numbers read off a run.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/report/canary_report.hpp"
#include "sim/report/report_json.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

TEST(CanaryExampleTest, ADegradedCandidateIsRolledBackWithinTheRulesArithmetic) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/canary-rollback.yaml");
  ASSERT_TRUE(loaded) << core::to_string(loaded.error().at(0));
  const ScenarioConfig scenario = *loaded;
  Simulation simulation(scenario);
  const RunStats& stats = simulation.run();

  // The scenario's parameters.
  const core::CanaryConfig& canary = scenario.gateway.models.at(0).canary;
  const double weight = canary.weight;                                                  // 0.1
  const double threshold = *core::canary_threshold(canary.rollback);                    // 5%
  const double window = std::chrono::duration<double>(canary.rollback.window).count();  // 300 s
  const double slice = window / gateway::CanaryWindow::kSlices;
  const double rate = scenario.traffic.rate;                           // 50/s
  const auto replicas = static_cast<double>(scenario.replicas.count);  // 2
  const OutageConfig& outage = scenario.providers.at(1).outages.at(0);
  const double degraded_from = outage.from.count();  // 20 min
  // A request fails when every attempt does: the share to the power of max_attempts (9%).
  const double failing = std::pow(outage.share, scenario.gateway.retry.max_attempts);
  // Each replica's controller sees half the candidate's requests.
  const double candidate_rate = weight * rate / replicas;  // 2.5/s per replica

  // Before the degradation, the candidate's share of the alias is its weight: over the 19 full
  // windows (57,000 requests, sd of the share 0.0013) to 0.01, and in each one (3,000, sd 0.0055)
  // to 0.03.
  CanaryCounts before;
  const auto first_degraded = static_cast<std::size_t>(degraded_from / stats.window());
  for (std::size_t w = 0; w < first_degraded; ++w) {
    const CanaryCounts& c = stats.windows().at(w).canary;
    EXPECT_NEAR(static_cast<double>(c.candidate) / static_cast<double>(c.requests()), weight, 0.03)
        << "window " << w;
    before.candidate += c.candidate;
    before.baseline += c.baseline;
  }
  EXPECT_NEAR(static_cast<double>(before.candidate) / static_cast<double>(before.requests()),
              weight, 0.01);

  // Each replica rolls back once. The rule fires when the window's failures pass `threshold` of
  // its k = threshold x candidate_rate x window requests (the window holds 90% to 100% of
  // `window`: the slice in progress); failures arrive at failing x candidate_rate a second, so
  // the k-th comes a Gamma(k) time after the degradation: mean k / (failing x candidate_rate) =
  // threshold x window / failing (150 to 167 s), sd sqrt(k) / (failing x candidate_rate) (27 s).
  // Allowed: 3 sd either side; and never later than the window plus a slice (the task's bound).
  const std::vector<CanaryRun> runs = collect_canaries(simulation);
  ASSERT_EQ(runs.size(), 1u);
  const CanaryRun& run = runs[0];
  EXPECT_EQ(run.alias, "chat");
  EXPECT_EQ(run.candidate, "chat-v2");
  ASSERT_EQ(run.rollbacks.size(), static_cast<std::size_t>(replicas));
  const double k = threshold * candidate_rate * window;
  const double sd = std::sqrt(k) / (failing * candidate_rate);
  const double earliest = 0.9 * threshold * window / failing - 3 * sd;
  const double latest = threshold * window / failing + 3 * sd;
  for (const CanaryRollbackEvent& e : run.rollbacks) {
    EXPECT_EQ(e.reason, "error_rate");
    const double after = e.at - degraded_from;
    EXPECT_GT(after, earliest) << "replica " << e.replica;
    EXPECT_LT(after, latest) << "replica " << e.replica;
    EXPECT_LT(after, window + slice) << "replica " << e.replica;
    ASSERT_TRUE(e.candidate_value);
    EXPECT_GT(*e.candidate_value, threshold);
    EXPECT_LT(*e.candidate_value, threshold + 0.01) << "fired as soon as it passed";
  }

  // After the last rollback (and two windows for requests still in flight then), the candidate
  // serves nothing.
  const auto quiet_from =
      static_cast<std::size_t>(std::ceil(*run.last_rollback() / stats.window())) + 2;
  ASSERT_LT(quiet_from, stats.windows().size());
  for (std::size_t w = quiet_from; w < stats.windows().size(); ++w) {
    EXPECT_EQ(stats.windows()[w].canary.candidate, 0u) << "window " << w;
    EXPECT_GT(stats.windows()[w].canary.baseline, 0u) << "window " << w;
  }

  // What the canary cost: at each replica's rollback its window held just over threshold x k
  // failures (those it let through, the degradation being younger than the window), plus the few
  // requests in flight then. So: replicas x k, with k taken over 90% to 100% of the window, to
  // 3 sd of a Poisson count either side. Bounded too by the task's weight x rate x time to
  // rollback (each failing request was the candidate's).
  const double failed = static_cast<double>(stats.totals().canary.candidate_failed);
  const double cost = replicas * k;  // 75
  EXPECT_GT(failed, 0.9 * cost - 3 * std::sqrt(cost));
  EXPECT_LT(failed, cost + 3 * std::sqrt(cost));
  EXPECT_LT(failed, weight * rate * (*run.last_rollback() - degraded_from));
  // The same from the other side: failing x candidate_rate x the time each replica took.
  double exposure = 0;
  for (const CanaryRollbackEvent& e : run.rollbacks) exposure += e.at - degraded_from;
  EXPECT_NEAR(failed, failing * candidate_rate * exposure, 3 * std::sqrt(cost) + 3);

  // The baseline was untouched: nearly all of its requests answered.
  const CanaryCounts& t = stats.totals().canary;
  EXPECT_LT(static_cast<double>(t.baseline_failed), 0.001 * static_cast<double>(t.baseline));
  EXPECT_GT(static_cast<double>(t.requests()),
            0.999 * static_cast<double>(stats.totals().finished));

  // The report carries the rollbacks and the per-window share.
  const std::string json = render_report_json(simulation, "canary-rollback.yaml");
  EXPECT_NE(json.find(R"("canaries": [)"), std::string::npos);
  EXPECT_NE(json.find(R"("reason": "error_rate")"), std::string::npos);
  EXPECT_NE(json.find(R"("candidate_share": )"), std::string::npos);
}

}  // namespace
}  // namespace sluice::sim
