// examples/simulate/slo-incident.yaml's headline numbers, from first principles: the batch key's
// refusals at its rate limit, and the requests the provider's outage fails.
// tests/deploy/simulate_slo_alerts.test.mjs evaluates the shipped alerts over it.
#include <gtest/gtest.h>

#include <cmath>

#include "sim_support.hpp"

namespace sluice::sim {
namespace {

std::size_t cause_count(const SeriesStats& s, Cause cause) {
  return s.causes[static_cast<std::size_t>(cause)];
}

TEST(SloIncidentExampleTest, TheBatchKeyIsRefusedTwoInThreeAndTheOutageFailsEveryOtherRequest) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/slo-incident.yaml");
  ASSERT_TRUE(loaded) << core::to_string(loaded.error().at(0));
  const ScenarioConfig scenario = *loaded;
  Simulation simulation(scenario);
  const RunStats& stats = simulation.run();
  const SeriesStats& t = stats.totals();
  const KeySeries& app = simulation.key_stats().keys().at(0);
  const KeySeries& batch = simulation.key_stats().keys().at(1);
  ASSERT_EQ(scenario.keys.at(1).name, "batch");

  // Poisson arrivals, 10 a second; two in five from the batch key.
  const double rate = 10, hour = 3600, batch_share = 0.4;
  EXPECT_NEAR(static_cast<double>(t.requests), rate * hour, 4 * std::sqrt(rate * hour));
  EXPECT_NEAR(static_cast<double>(batch.requests), batch_share * static_cast<double>(t.requests),
              4 * std::sqrt(static_cast<double>(t.requests) * batch_share * (1 - batch_share)));

  // Round robin gives each replica every other arrival; 60 a minute with a burst of one admits a
  // batch request once a second has passed since the last admitted one. After that second, the
  // next batch request at the replica comes a mean residual r later, with r = 0.4 s when the
  // next arrival overall is the replica's and 0.5 s when it is the other's (each arrival 0.1 s
  // apart on average, batch with chance 0.4: r_mine = 0.1 + 0.6 r_other, r_other = 0.1 + r_mine),
  // the two equally likely a second on. So each replica admits one every 1.45 s: over the hour,
  // 2 x 3600 / 1.45, and refuses the rest (about two in three). The count of a renewal process
  // varies little; 2% covers it.
  const double admitted = 2 * hour / (1 + 0.45);
  EXPECT_NEAR(static_cast<double>(batch.requests - batch.rate_limited), admitted, 0.02 * admitted);
  EXPECT_EQ(app.rate_limited, 0u);
  EXPECT_EQ(cause_count(t, Cause::rate_limit_exceeded), batch.rate_limited);

  // Every other request that arrives in the outage (minutes 20 to 35, no fallback) fails, and so
  // do those arriving after it until each replica's breaker lets a probe through (at most the
  // 30 s cooldown). A request that arrived before it had its first attempt answered.
  const double passing = rate * (1 - batch_share) + admitted / hour;  // per second
  const double outage_failed = static_cast<double>(t.failed() - batch.rate_limited);
  EXPECT_GE(outage_failed, passing * 900 - 4 * std::sqrt(passing * 900));
  EXPECT_LE(outage_failed, passing * 930 + 4 * std::sqrt(passing * 930));
  EXPECT_EQ(cause_count(t, Cause::upstream_5xx) + cause_count(t, Cause::circuit_open),
            t.failed() - batch.rate_limited);
  // Outside it, only the rate limit refuses: three attempts each against a 0.2% error rate.
  for (std::size_t w = 0; w < stats.windows().size(); ++w) {
    if (w >= 20 && w < 36) continue;  // the outage, and the breakers' cooldown after it
    const SeriesStats& window = stats.windows()[w];
    EXPECT_EQ(window.failed(), cause_count(window, Cause::rate_limit_exceeded)) << "window " << w;
  }
}

}  // namespace
}  // namespace sluice::sim
