// The shipped example's headline numbers, from first principles.
#include <gtest/gtest.h>

#include "sim/scenario/distribution_spec.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

TEST(ExampleTest, ProviderOutageWithAFallbackKeepsServingAndCostsLess) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/provider-outage.yaml");
  ASSERT_TRUE(loaded) << core::to_string(loaded.error().at(0));
  const ScenarioConfig scenario = *loaded;
  Simulation simulation(scenario);
  const RunStats& stats = simulation.run();
  const SeriesStats& t = stats.totals();

  // 20 a second for an hour.
  EXPECT_NEAR(static_cast<double>(t.requests), 72'000, 800);
  // The fallback answers through the outage: nearly everything completes.
  EXPECT_GT(static_cast<double>(t.completed), 0.995 * static_cast<double>(t.finished));
  // Each replica's breaker opens after 5 failures and reopens on every failed probe, one per
  // 30 s cooldown, through 15 minutes: about 30 openings per replica.
  EXPECT_GE(t.gateway.breaker_openings, 56);
  EXPECT_LE(t.gateway.breaker_openings, 64);
  const auto& openai = stats.deployments().at("openai/gpt-4o");
  const auto& fallback = stats.deployments().at("fallback/llama-3.1-70b");
  // A quarter of the hour on the fallback.
  const double share = fallback.outcomes.at("success") /
                       (fallback.outcomes.at("success") + openai.outcomes.at("success"));
  EXPECT_NEAR(share, 0.25, 0.02);
  // Cost: mean tokens per request (closed forms of the mix) at each model's prices, weighted by
  // the share each served.
  double prompt = 0;
  double completion = 0;
  double weights = 0;
  for (const MixEntryConfig& m : scenario.traffic.mix) {
    prompt += m.weight * to_distribution(m.prompt_tokens).mean();
    completion += m.weight * to_distribution(m.completion_tokens).mean();
    weights += m.weight;
  }
  prompt /= weights;
  completion /= weights;
  const double gpt4o = (prompt * 2.5 + completion * 10) / 1e6;
  const double llama = (prompt * 0.6 + completion * 0.6) / 1e6;
  const double expected_per_hour = 72'000 * ((1 - share) * gpt4o + share * llama);
  EXPECT_NEAR(t.cost_usd, expected_per_hour, expected_per_hour * 0.05);
  EXPECT_LT(t.cost_usd, 72'000 * gpt4o * 0.85) << "cheaper than an hour on gpt-4o alone";
  // During the outage (minutes 21 to 34), the fallback takes the traffic and nothing is lost.
  for (std::size_t w = 21; w < 34; ++w) {
    const SeriesStats& window = stats.windows().at(w);
    EXPECT_GT(window.gateway.fallbacks, 0) << "window " << w;  // after failed probes
    EXPECT_GT(window.gateway.breaker_openings, 0) << "window " << w;
    EXPECT_GT(static_cast<double>(window.completed), 0.99 * static_cast<double>(window.finished))
        << "window " << w;
  }
}

}  // namespace
}  // namespace sluice::sim
