// mock-upstream's scenario provider: its decisions follow the scenario's model (the simulated
// upstream's, src/sim/model/upstream.cpp): shares of faults, the distributions' moments, outage
// windows, the rate limit's bucket, the entry per model, the answer's length.
#include "mock/mock_scenario.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "mock/mock_scenario_play.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sluice::mock {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

sim::UpstreamConfig upstream(const std::string& yaml_providers_entry) {
  const std::string text =
      "duration: 1m\n"
      "traffic: {rate: 1, mix: [{model: chat, prompt_tokens: {dist: constant, value: 10},\n"
      "          completion_tokens: {dist: constant, value: 10}}]}\n"
      "providers:\n  - " +
      yaml_providers_entry +
      "\n"
      "gateway:\n"
      "  providers: [{name: p, type: openai, base_url: https://p.example/v1}]\n"
      "  models: [{alias: chat, deployments: [{provider: p, model: m}]}]\n";
  auto scenario = sim::parse_scenario(text);
  EXPECT_TRUE(scenario) << (scenario ? "" : core::to_string(scenario.error().front()));
  return scenario ? scenario->providers.front() : sim::UpstreamConfig{};
}

double ms(Nanos d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Within `k` standard errors of a binomial share.
void expect_share(long long hits, long long n, double p, double k = 4) {
  const double sigma = std::sqrt(static_cast<double>(n) * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(hits), static_cast<double>(n) * p, k * sigma)
      << hits << " of " << n << ", expected a share of " << p;
}

TEST(ScenarioUpstream, FaultSharesAreTheScenarios) {
  ScenarioUpstream up(upstream("{provider: p, ttft: {dist: constant, value: 10ms}, per_token: "
                               "{dist: constant, value: 1ms}, error_latency: {dist: constant, "
                               "value: 30ms}, error_rate: 0.1, reset_rate: 0.05}"),
                      7);
  constexpr long long kN = 100'000;
  long long errors = 0, resets = 0;
  for (long long i = 0; i < kN; ++i) {
    const ServicePlan plan = up.on_service(21);
    if (plan.error) {
      ++errors;
      EXPECT_EQ(plan.error_after, 30ms);
      continue;
    }
    EXPECT_EQ(plan.tokens, 21);
    EXPECT_EQ(plan.done(), 10ms + 20 * 1ms);
    if (plan.reset_at) {
      ++resets;
      EXPECT_LE(*plan.reset_at, plan.done()) << "a reset strikes within the answer's time";
    }
  }
  expect_share(errors, kN, 0.1);
  expect_share(resets, kN, 0.05);
}

TEST(ScenarioUpstream, TimesFollowTheirDistributions) {
  // Lognormal with median 40 ms and p99 150 ms: mean exp(mu + sigma^2 / 2).
  ScenarioUpstream up(upstream("{provider: p, ttft: {dist: lognormal, median: 40ms, p99: 150ms}, "
                               "per_token: {dist: uniform, min: 2ms, max: 5ms}}"),
                      11);
  const double sigma = std::log(150.0 / 40.0) / 2.3263478740408408;
  const double mean = 40 * std::exp(sigma * sigma / 2);
  const double sd = mean * std::sqrt(std::exp(sigma * sigma) - 1);
  constexpr int kN = 40'000;
  double ttft = 0, per_token = 0;
  int below_median = 0;
  for (int i = 0; i < kN; ++i) {
    const ServicePlan plan = up.on_service(1);
    ttft += ms(plan.ttft);
    per_token += ms(plan.per_token);
    if (ms(plan.ttft) < 40) ++below_median;
    EXPECT_GE(ms(plan.per_token), 2);
    EXPECT_LE(ms(plan.per_token), 5);
  }
  EXPECT_NEAR(ttft / kN, mean, 4 * sd / std::sqrt(kN));
  // Uniform on [2, 5] ms: mean 3.5, standard deviation 3 / sqrt(12).
  EXPECT_NEAR(per_token / kN, 3.5, 4 * (3 / std::sqrt(12.0)) / std::sqrt(kN));
  expect_share(below_median, kN, 0.5);
}

TEST(ScenarioUpstream, AnOutageFailsAttemptsThatArriveInsideIt) {
  ScenarioUpstream up(upstream("{provider: p, ttft: {dist: constant, value: 10ms}, per_token: "
                               "{dist: constant, value: 1ms}, error_latency: {dist: constant, "
                               "value: 5ms}, outages: [{from: 20s, to: 35s, fail_with: 5xx}, "
                               "{from: 40s, to: 41s, fail_with: timeout}, {from: 50s, to: 51s, "
                               "fail_with: connect}]}"),
                      1);
  using Kind = ArrivalVerdict::Kind;
  const std::int64_t now = steady_now_ns();
  EXPECT_EQ(up.on_arrival(19.999, now).kind, Kind::serve);
  const ArrivalVerdict down = up.on_arrival(20.0, now);
  EXPECT_EQ(down.kind, Kind::upstream_5xx);
  EXPECT_EQ(down.after, 5ms);
  EXPECT_EQ(up.on_arrival(34.999, now).kind, Kind::upstream_5xx);
  EXPECT_EQ(up.on_arrival(35.0, now).kind, Kind::serve) << "[from, to): `to` is outside";
  EXPECT_EQ(up.on_arrival(40.5, now).kind, Kind::no_answer);
  EXPECT_EQ(up.on_arrival(50.5, now).kind, Kind::connect);
}

TEST(ScenarioUpstream, APartialOutageFailsItsShareOfTheAttempts) {
  ScenarioUpstream up(upstream("{provider: p, ttft: {dist: constant, value: 10ms}, per_token: "
                               "{dist: constant, value: 1ms}, outages: [{from: 20s, to: 60s, "
                               "fail_with: 5xx, share: 0.3}]}"),
                      1);
  using Kind = ArrivalVerdict::Kind;
  const std::int64_t now = steady_now_ns();
  long long failed = 0;
  const long long n = 20'000;
  for (long long i = 0; i < n; ++i) {
    EXPECT_EQ(up.on_arrival(10, now).kind, Kind::serve);  // before the window: never
    if (up.on_arrival(30, now).kind == Kind::upstream_5xx) ++failed;
  }
  expect_share(failed, n, 0.3);
}

TEST(ScenarioUpstream, TheRateLimitIsATokenBucketStartingFull) {
  ScenarioUpstream up(upstream("{provider: p, ttft: {dist: constant, value: 10ms}, per_token: "
                               "{dist: constant, value: 1ms}, rate_limit: {requests_per_second: "
                               "10, burst: 3, retry_after: 250ms}}"),
                      1);
  using Kind = ArrivalVerdict::Kind;
  const std::int64_t t0 = steady_now_ns();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(up.on_arrival(0, t0).kind, Kind::serve) << i;
  EXPECT_EQ(up.on_arrival(0, t0).kind, Kind::rate_limited) << "the burst is spent";
  EXPECT_EQ(up.retry_after(), 250ms);
  // One token comes back every 100 ms.
  EXPECT_EQ(up.on_arrival(0, t0 + 99'000'000).kind, Kind::rate_limited);
  EXPECT_EQ(up.on_arrival(0, t0 + 100'000'000).kind, Kind::serve);
  EXPECT_EQ(up.on_arrival(0, t0 + 100'000'000).kind, Kind::rate_limited);
  // After a long idle, the bucket holds the burst and no more.
  const std::int64_t later = t0 + 10'000'000'000;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(up.on_arrival(0, later).kind, Kind::serve) << i;
  EXPECT_EQ(up.on_arrival(0, later).kind, Kind::rate_limited);
  up.restart();
  EXPECT_EQ(up.on_arrival(0, later).kind, Kind::serve) << "a restart fills the bucket";
}

TEST(ScenarioUpstream, ConcurrencyIsALineOfThatManyPlaces) {
  ScenarioUpstream limited(upstream("{provider: p, ttft: {dist: constant, value: 10ms}, "
                                    "per_token: {dist: constant, value: 1ms}, concurrency: 2}"),
                           1);
  ASSERT_NE(limited.line(), nullptr);
  EXPECT_TRUE(limited.line()->try_admit());
  EXPECT_TRUE(limited.line()->try_admit());
  EXPECT_FALSE(limited.line()->try_admit());
  ScenarioUpstream unlimited(upstream("{provider: p, ttft: {dist: constant, value: 10ms}, "
                                      "per_token: {dist: constant, value: 1ms}}"),
                             1);
  EXPECT_EQ(unlimited.line(), nullptr);
}

TEST(ScenarioPlayer, AModelsOwnEntryWinsOverTheProvidersEntry) {
  auto scenario = sim::parse_scenario(
      "traffic: {rate: 1, mix: [{model: chat, prompt_tokens: {dist: constant, value: 10},\n"
      "          completion_tokens: {dist: constant, value: 10}}]}\n"
      "providers:\n"
      "  - {provider: p, ttft: {dist: constant, value: 10ms}, per_token: {dist: constant, value: "
      "1ms}}\n"
      "  - {provider: p, model: fast, ttft: {dist: constant, value: 1ms}, per_token: {dist: "
      "constant, value: 1ms}}\n"
      "  - {provider: q, ttft: {dist: constant, value: 99ms}, per_token: {dist: constant, value: "
      "1ms}}\n"
      "gateway:\n"
      "  providers: [{name: p, type: openai, base_url: https://p.example/v1},\n"
      "              {name: q, type: openai, base_url: https://q.example/v1}]\n"
      "  models: [{alias: chat, deployments: [{provider: p, model: m}, {provider: p, model: "
      "fast}, {provider: q, model: m}]}]\n");
  ASSERT_TRUE(scenario) << core::to_string(scenario.error().front());
  ScenarioPlayer player(*scenario, "p");
  ScenarioUpstream* fast = player.upstream_for("fast");
  ScenarioUpstream* other = player.upstream_for("anything");
  ASSERT_NE(fast, nullptr);
  ASSERT_NE(other, nullptr);
  EXPECT_NE(fast, other);
  EXPECT_EQ(fast->on_service(1).ttft, 1ms);
  EXPECT_EQ(other->on_service(1).ttft, 10ms) << "not q's entry: the mock plays provider p";
  EXPECT_GE(player.since_start(), 0);
}

TEST(ScenarioPlayer, ASeedGivenReplacesTheScenariosAndIsChecked) {
  const std::string path = ::testing::TempDir() + "mock_scenario_seed.yaml";
  {
    std::ofstream out(path);
    out << "seed: 4\n"
           "traffic: {rate: 1, mix: [{model: chat, prompt_tokens: {dist: constant, value: 10},\n"
           "          completion_tokens: {dist: constant, value: 10}}]}\n"
           "providers: [{provider: p, ttft: {dist: exponential, mean: 1s}, per_token: {dist: "
           "constant, value: 1ms}}]\n"
           "gateway:\n"
           "  providers: [{name: p, type: openai, base_url: https://p.example/v1}]\n"
           "  models: [{alias: chat, deployments: [{provider: p, model: m}]}]\n";
  }
  const auto first_ttft = [&](const std::string& seed) {
    auto player = ScenarioPlayer::load(path, "p", {}, seed);
    EXPECT_TRUE(player) << (player ? "" : player.error().message);
    return player ? (*player)->upstream_for("m")->on_service(1).ttft : Nanos(-1);
  };
  EXPECT_EQ(first_ttft(""), first_ttft("4")) << "no seed given: the scenario's";
  EXPECT_NE(first_ttft("5"), first_ttft("4"));
  auto bad = ScenarioPlayer::load(path, "p", {}, "minus one");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("seed"), std::string::npos) << bad.error().message;
  std::remove(path.c_str());
}

TEST(ScenarioPlayer, LoadRefusesAProviderTheScenarioDoesNotHave) {
  auto missing = ScenarioPlayer::load("/nonexistent/scenario.yaml", "p", {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/scenario.yaml"), std::string::npos);
}

TEST(ScenarioTokens, TheRequestBoundsTheAnswer) {
  const auto tokens = [](std::string_view body, long long fallback = 33) {
    return scenario_tokens(json::parse(body).as_object(), fallback);
  };
  EXPECT_EQ(*tokens(R"({"max_tokens":12})"), 12);
  EXPECT_EQ(*tokens(R"({"max_completion_tokens":7,"max_tokens":12})"), 7);
  EXPECT_EQ(*tokens(R"({"max_tokens":null})"), 33);
  EXPECT_EQ(*tokens(R"({})"), 33);
  const auto zero = tokens(R"({"max_tokens":0})");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().param, "max_tokens");
  EXPECT_FALSE(tokens(R"({"max_completion_tokens":1000000})"));
}

}  // namespace
}  // namespace sluice::mock
