// The shipped example's headline numbers, from first principles.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

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

// The mean tokens of the scenario's mix (closed forms of its distributions), weighted.
struct MixMeans {
  double prompt = 0;
  double completion = 0;
};
MixMeans mix_means(const ScenarioConfig& scenario) {
  MixMeans means;
  double weights = 0;
  for (const MixEntryConfig& m : scenario.traffic.mix) {
    means.prompt += m.weight * to_distribution(m.prompt_tokens).mean();
    means.completion += m.weight * to_distribution(m.completion_tokens).mean();
    weights += m.weight;
  }
  means.prompt /= weights;
  means.completion /= weights;
  return means;
}

// The cost of a request of `means` at `model`'s configured prices.
double cost_at(const ScenarioConfig& scenario, const std::string& model, const MixMeans& means) {
  for (const core::PriceConfig& price : scenario.gateway.prices)
    if (price.model == model)
      return (means.prompt * price.input_per_million +
              means.completion * price.output_per_million) /
             1e6;
  ADD_FAILURE() << "no price for " << model;
  return 0;
}

TEST(ExampleTest, CostSpikeIsDowngradedToTheCheaperModelWhenTheBudgetIsReached) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/cost-spike.yaml");
  ASSERT_TRUE(loaded) << core::to_string(loaded.error().at(0));
  const ScenarioConfig scenario = *loaded;
  // The scenario's own parameters: two phases of traffic, one team budget, one downgrade.
  ASSERT_EQ(scenario.traffic.phases.size(), 2u);
  const double t1 = scenario.traffic.phases[0].duration.count();
  const double r1 = scenario.traffic.phases[0].rate;
  const double r2 = scenario.traffic.phases[1].rate;
  const double duration = scenario.duration.count();
  ASSERT_EQ(scenario.budgets.teams.size(), 1u);
  const double budget = scenario.budgets.teams[0].daily_usd;
  const MixMeans means = mix_means(scenario);
  const double big = cost_at(scenario, "gpt-4o", means);
  const double mini = cost_at(scenario, "gpt-4o-mini", means);

  Simulation simulation(scenario);
  std::map<std::string, double> cost_by_deployment;
  simulation.on_request(
      [&](const RequestRecord& r) { cost_by_deployment[r.deployment] += r.cost_usd; });
  const RunStats& stats = simulation.run();
  const SeriesStats& t = stats.totals();
  ASSERT_EQ(simulation.key_stats().keys().size(), 1u);
  const KeySeries& key = simulation.key_stats().keys()[0];

  // When the budget is reached: what the first phase spent, then the rest at the spike's rate.
  // Spend is counted when a call ends, a mean latency after it started (ttft, then a token every
  // per_token): the gate sees the budget reached that much later. It also counts what the calls
  // in flight on its replica hold: each its estimate, the key's largest call so far (the alias
  // `chat` has no price of its own), about the largest call the mix makes.
  const UpstreamConfig& upstream = scenario.providers.at(0);
  const double latency = to_distribution(upstream.ttft).mean() +
                         (means.completion - 1) * to_distribution(upstream.per_token).mean();
  const MixEntryConfig& mix = scenario.traffic.mix.at(0);
  const double largest =
      cost_at(scenario, "gpt-4o", {mix.prompt_tokens.max, mix.completion_tokens.max});
  const double held = r2 / scenario.replicas.count * latency * largest;
  const double reached = t1 + (budget - big * r1 * t1 - held) / (big * r2) + latency;
  ASSERT_TRUE(key.over_budget_at.has_value());
  // Poisson arrivals: the spend by then varies by about 11 s of the spike's rate (1 sigma: the
  // square root of the 10,900 requests' count, times the mean cost, over the spike's spend rate).
  EXPECT_NEAR(*key.over_budget_at, reached, 45) << "expected about minute " << reached / 60;

  // Nothing refused, nothing failed: over budget, every call goes to the cheaper model.
  EXPECT_EQ(key.budget_refused, 0u);
  EXPECT_EQ(key.rate_limited, 0u);
  EXPECT_EQ(t.completed, t.finished);
  EXPECT_EQ(key.requests, t.finished);
  // Every request that arrives after the budget is reached is downgraded.
  const double arrivals = r1 * t1 + r2 * (duration - t1);
  EXPECT_NEAR(static_cast<double>(key.downgraded) / static_cast<double>(key.requests),
              r2 * (duration - reached) / arrivals, 0.015);
  EXPECT_NEAR(static_cast<double>(t.requests), arrivals, 4 * std::sqrt(arrivals));

  // The expensive model's spend stops at the budget (give or take the calls in flight then).
  EXPECT_NEAR(cost_by_deployment["openai/gpt-4o"], budget, 1.0);
  // Cost per hour: r1 x big before the spike, r2 x big in it, r2 x mini once over budget.
  const auto per_hour = [&](double from, double to) {
    double cost = 0;
    const auto first = static_cast<std::size_t>(std::ceil(from / 60));
    const auto last = static_cast<std::size_t>(std::floor(to / 60));
    for (std::size_t w = first; w < last; ++w) cost += stats.windows().at(w).cost_usd;
    return cost / (static_cast<double>(last - first) / 60);
  };
  EXPECT_NEAR(per_hour(60, t1), r1 * 3600 * big, 0.05 * r1 * 3600 * big);
  EXPECT_NEAR(per_hour(t1 + 60, reached - 60), r2 * 3600 * big, 0.05 * r2 * 3600 * big);
  EXPECT_NEAR(per_hour(reached + 60, duration), r2 * 3600 * mini, 0.05 * r2 * 3600 * mini);
  // The key's series is the run's (one key sends everything).
  EXPECT_NEAR(key.cost_usd, t.cost_usd, 1e-9);
}

}  // namespace
}  // namespace sluice::sim
