// Keys, rate limits and budgets in simulated runs: the production limiter and budget gate, on
// virtual time, checked against closed forms; and the scenario keys that configure them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>

#include "sim/report/report_html.hpp"
#include "sim/report/report_json.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using namespace testing;

std::size_t cause_count(const SeriesStats& s, Cause cause) {
  return s.causes[static_cast<std::size_t>(cause)];
}

// One key `app` (whose entry's other fields are `key_fields`, e.g. ", requests_per_minute: 600")
// sends every request: `prompt` and `completion` tokens each, to alias `chat` (provider primary,
// model big, answering in 100 ms + 10 ms a token, at $10 and $30 per million tokens, for the
// model and for the alias: the budget gate prices a call by the name the client sent). `traffic`
// as minimal_scenario's; `more` appended (top-level sections).
std::string keyed_scenario(const std::string& key_fields, const std::string& traffic,
                           const std::string& more = "", int prompt = 1000, int completion = 100) {
  return "duration: 10m\n"
         "seed: 1\n"
         "traffic:\n" +
         traffic +
         "  mix:\n"
         "    - key: app\n"
         "      model: chat\n"
         "      prompt_tokens: {dist: constant, value: " +
         std::to_string(prompt) +
         "}\n"
         "      completion_tokens: {dist: constant, value: " +
         std::to_string(completion) +
         "}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 100ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "keys:\n"
         "  - {name: app" +
         key_fields +
         "}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "    - alias: chat-mini\n"
         "      deployments: [{provider: primary, model: small}]\n"
         "  prices:\n"
         "    - {model: big, input_per_million: 10, output_per_million: 30}\n"
         "    - {model: chat, input_per_million: 10, output_per_million: 30}\n"
         "    - {model: small, input_per_million: 1, output_per_million: 3}\n" +
         more;
}

// GCRA admits `per_minute` a minute, plus the burst (rate_limits.burst's share of it) from idle,
// by arrival time alone: over `seconds` of evenly spaced arrivals above the rate, exactly
// rate x seconds + burst get through (give or take the one at each end).
TEST(ProtectionTest, AKeyOverItsRequestRateGetsTheConfiguredRateThroughAndTheRest429) {
  const double per_minute = 600, seconds = 600, burst = per_minute * 1.0 / 60;  // burst: 1s
  Simulation simulation(
      scenario_of(keyed_scenario(", requests_per_minute: 600", "  rate: 20\n  arrivals: uniform\n",
                                 "rate_limits: {burst: 1s}\n")));
  const SeriesStats& t = simulation.run().totals();
  const double through = per_minute / 60 * seconds + burst;
  EXPECT_NEAR(static_cast<double>(t.completed), through, 2);
  EXPECT_EQ(t.completed + cause_count(t, Cause::rate_limit_exceeded), t.finished);
  const KeySeries& key = simulation.key_stats().keys().at(0);
  EXPECT_EQ(key.rate_limited, cause_count(t, Cause::rate_limit_exceeded));
  EXPECT_EQ(key.requests, t.finished);
  // The production filter's counter, on the replica's own registry, counted the same refusals.
  EXPECT_EQ(metric_line(simulation.replica(0).registry().render(),
                        "sluice_ratelimited_total{limit=\"key\"}"),
            "sluice_ratelimited_total{limit=\"key\"} " + std::to_string(key.rate_limited));
  // Every window after the first gets the rate through: 10 a second of 20.
  for (std::size_t w = 1; w + 1 < simulation.stats().windows().size(); ++w)
    EXPECT_NEAR(static_cast<double>(simulation.stats().windows()[w].completed), 600, 1) << w;
}

TEST(ProtectionTest, PoissonArrivalsOverTheLimitGetAboutTheRateThrough) {
  // Twice the limit, at random: the bucket is nearly always empty, so nearly all of the rate
  // gets through (a gap longer than the burst's worth wastes some).
  Simulation simulation(scenario_of(
      keyed_scenario(", requests_per_minute: 600", "  rate: 20\n", "rate_limits: {burst: 1s}\n")));
  const SeriesStats& t = simulation.run().totals();
  const double through = 600.0 / 60 * 600 + 10;
  EXPECT_NEAR(static_cast<double>(t.completed), through, 0.02 * through);
  EXPECT_EQ(t.completed + cause_count(t, Cause::rate_limit_exceeded), t.finished);
}

TEST(ProtectionTest, EachReplicaEnforcesItsOwnLimitAsEachServerProcessDoes) {
  // Limits live in each process (README, rate limits): two replicas behind round robin let
  // twice the key's rate through.
  Simulation simulation(scenario_of(keyed_scenario(
      ", requests_per_minute: 600", "  rate: 40\n  arrivals: uniform\n",
      "rate_limits: {burst: 1s}\nreplicas: {count: 2, load_balancer: round_robin}\n")));
  const SeriesStats& t = simulation.run().totals();
  EXPECT_NEAR(static_cast<double>(t.completed), 2 * (600.0 / 60 * 600 + 10), 4);
}

TEST(ProtectionTest, TokensPerMinuteAdmitWhatTheLimitAllowsOnceCallsSettle) {
  // Each call reserves its estimate (prompt bytes / 4 = 1000, plus default_completion_tokens
  // 1024) and settles at what it used (1100) when it ends, about a second later. A minute's
  // worth may be spent at once: over 10 minutes, (10 + 1) x 60000 tokens of settled calls.
  const double per_minute = 60000, used = 1000 + 100;
  Simulation simulation(scenario_of(
      keyed_scenario(", tokens_per_minute: 60000", "  rate: 5\n  arrivals: uniform\n")));
  const SeriesStats& t = simulation.run().totals();
  const double expected = per_minute * (600.0 / 60 + 1) / used;
  EXPECT_NEAR(static_cast<double>(t.completed), expected, 0.02 * expected);
  EXPECT_EQ(t.completed + cause_count(t, Cause::rate_limit_exceeded), t.finished);
  EXPECT_EQ(static_cast<double>(t.prompt_tokens + t.completion_tokens),
            used * static_cast<double>(t.completed));
  EXPECT_EQ(metric_line(simulation.replica(0).registry().render(),
                        "sluice_ratelimited_total{limit=\"tokens\"}"),
            "sluice_ratelimited_total{limit=\"tokens\"} " +
                std::to_string(cause_count(t, Cause::rate_limit_exceeded)));
}

TEST(ProtectionTest, ABudgetWithoutADowngradeRefusesAndIsNeverPassed) {
  // A call costs (1000 x 10 + 100 x 30) / 1e6 = $0.013 and is estimated before it runs at
  // (1000 x 10 + 1024 x 30) / 1e6 = $0.04072 (no max_tokens: default_completion_tokens), held
  // until it ends: calls are admitted while spent + held + estimate fit the budget, so the spend
  // ends within one estimate below it, never above.
  const double budget = 1, cost = 0.013, estimate = 0.04072;
  Simulation simulation(
      scenario_of(keyed_scenario(", daily_budget_usd: 1", "  rate: 10\n  arrivals: uniform\n")));
  const SeriesStats& t = simulation.run().totals();
  EXPECT_LE(t.cost_usd, budget + 1e-9);
  EXPECT_GT(t.cost_usd, budget - estimate);
  EXPECT_NEAR(static_cast<double>(t.completed), t.cost_usd / cost, 1e-6);
  EXPECT_EQ(t.completed + cause_count(t, Cause::budget_exceeded), t.finished);
  const KeySeries& key = simulation.key_stats().keys().at(0);
  EXPECT_EQ(key.budget_refused, cause_count(t, Cause::budget_exceeded));
  EXPECT_EQ(key.downgraded, 0u);
  // The first refusal: when the spend of the calls ended (cost x rate x (t - latency)), the
  // estimates the calls in flight hold (rate x latency of them) and the call's own pass the
  // budget. Latency: 100 ms to the first token, then 99 more at 10 ms.
  const double rate = 10, latency = 0.1 + 99 * 0.01;
  const double first_refusal = latency + (budget - estimate * (rate * latency + 1)) / (cost * rate);
  ASSERT_TRUE(key.over_budget_at.has_value());
  EXPECT_NEAR(*key.over_budget_at, first_refusal, 0.5);  // arrivals come every 0.1 s
  EXPECT_EQ(metric_line(simulation.replica(0).registry().render(),
                        "sluice_budget_exceeded_total{budget=\"key\",action=\"refused\"}"),
            "sluice_budget_exceeded_total{budget=\"key\",action=\"refused\"} " +
                std::to_string(key.budget_refused));
}

TEST(ProtectionTest, ADowngradeGoesOnlyToAModelTheKeyMayCall) {
  const std::string downgrade = "budgets: {downgrades: [{model: chat, to: chat-mini}]}\n";
  Simulation allowed(scenario_of(
      keyed_scenario(", daily_budget_usd: 1", "  rate: 10\n  arrivals: uniform\n", downgrade)));
  const SeriesStats& a = allowed.run().totals();
  EXPECT_EQ(a.completed, a.finished);
  EXPECT_GT(allowed.key_stats().keys().at(0).downgraded, 5000u);
  // The cheaper model is not on the key's list: over budget, the call is refused (as the chat
  // handler does it, by the same gate).
  Simulation refused(scenario_of(keyed_scenario(", daily_budget_usd: 1, models: [chat]",
                                                "  rate: 10\n  arrivals: uniform\n", downgrade)));
  const SeriesStats& r = refused.run().totals();
  EXPECT_EQ(refused.key_stats().keys().at(0).downgraded, 0u);
  EXPECT_EQ(r.completed + cause_count(r, Cause::budget_exceeded), r.finished);
  EXPECT_GT(cause_count(r, Cause::budget_exceeded), 5000u);
}

TEST(ProtectionTest, ADailyBudgetStartsAfreshAtTheVirtualUtcMidnight) {
  // From 23:55 UTC, one call a second at $0.013: the $0.20 budget is spent within a minute, calls
  // are refused until midnight (300 s in), then the new day's budget admits some again.
  Simulation simulation(
      scenario_of(keyed_scenario(", daily_budget_usd: 0.2", "  rate: 1\n  arrivals: uniform\n",
                                 "start: 2024-02-29T23:55:00Z\n")));
  std::size_t before = 0, refused_between = 0, between = 0, after = 0;
  double cost_after = 0;
  simulation.on_request([&](const RequestRecord& r) {
    if (r.arrival < 60 && r.cause == Cause::none) ++before;
    if (r.arrival >= 60 && r.arrival < 295) {
      ++between;
      if (r.cause == Cause::budget_exceeded) ++refused_between;
    }
    if (r.arrival >= 300 && r.cause == Cause::none) {
      ++after;
      cost_after += r.cost_usd;
    }
  });
  const SeriesStats& t = simulation.run().totals();
  EXPECT_GE(before, 5u);
  EXPECT_GT(between, 200u);
  EXPECT_EQ(refused_between, between);
  EXPECT_GE(after, 5u);
  EXPECT_LE(cost_after, 0.2 + 1e-9);
  EXPECT_LE(t.cost_usd, 0.4 + 1e-9);
}

TEST(ProtectionTest, TheReportTellsEachKeysRequestsRefusalsAndSpend) {
  const std::string yaml =
      keyed_scenario(", team: alpha, requests_per_minute: 300", "  rate: 10\n",
                     "budgets: {teams: [{team: alpha, daily_usd: 2}],\n"
                     "          downgrades: [{model: chat, to: chat-mini}]}\n");
  Simulation simulation(scenario_of(yaml));
  simulation.run();
  const std::string json = render_report_json(simulation, "keys.yaml");
  Simulation again(scenario_of(yaml));
  again.run();
  EXPECT_EQ(render_report_json(again, "keys.yaml"), json) << "the same seed, the same bytes";
  const boost::json::object report = boost::json::parse(json).as_object();
  const boost::json::object& errors = report.at("totals").as_object().at("errors").as_object();
  EXPECT_GT(errors.at("rate_limit_exceeded").as_int64(), 0);
  EXPECT_EQ(errors.at("budget_exceeded").as_int64(), 0);
  const boost::json::array& keys = report.at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  const boost::json::object& key = keys[0].as_object();
  EXPECT_EQ(key.at("name").as_string(), "app");
  EXPECT_EQ(key.at("team").as_string(), "alpha");
  EXPECT_EQ(key.at("rate_limited").as_int64(), errors.at("rate_limit_exceeded").as_int64());
  EXPECT_GT(key.at("downgraded").as_int64(), 0);
  EXPECT_TRUE(key.at("over_budget_at_s").is_double());
  EXPECT_EQ(key.at("cost_usd_per_window").as_array().size(),
            report.at("windows").as_array().size());
  const std::string html = render_report_html(simulation, "keys.yaml");
  EXPECT_NE(html.find("data-series=\"key_cost_per_hour_app\""), std::string::npos);
  EXPECT_NE(html.find("data-series=\"errors_rate_limit_exceeded\""), std::string::npos);
}

TEST(ProtectionTest, ScenarioKeysAreCheckedByTheirKeyPaths) {
  const auto errors = errors_of(keyed_scenario(
      ", daily_budget_usd: -3, priority: urgent", "  rate: 10\n",
      "start: 2024-02-30T00:00:00Z\n"
      "rate_limits: {address_requests_per_minute: 60, burst: 2m}\n"
      "budgets: {downgrades: [{model: chat, to: chat-nano}], teams: [{team: 'a b'}]}\n"));
  EXPECT_TRUE(has_error(errors, "keys.0.daily_budget_usd: must be a number of US dollars"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "keys.0.priority: must be")) << joined(errors);
  EXPECT_TRUE(has_error(errors, "start: '2024-02-30T00:00:00Z' is not a UTC time"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "rate_limits.address_requests_per_minute: is not simulated"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "rate_limits.burst: must be between 1ms and 1m")) << joined(errors);
  EXPECT_TRUE(has_error(errors, "budgets.downgrades.0.to: 'chat-nano' is not an alias"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "budgets.teams.0.team: 'a b' is not a valid team name"))
      << joined(errors);
  // The binder's own checks: unknown keys with the closest valid one.
  const auto typo = errors_of(keyed_scenario(", daily_budget: 3", "  rate: 10\n"));
  EXPECT_TRUE(has_error(typo, "keys.0.daily_budget: unknown key")) << joined(typo);
  EXPECT_NE(joined(typo).find("daily_budget_usd"), std::string::npos) << joined(typo);
}

TEST(ProtectionTest, TheMixNamesKeysThatExistAndMayCallItsModel) {
  std::string yaml = keyed_scenario(", models: [chat-mini]", "  rate: 10\n");
  auto errors = errors_of(yaml);
  EXPECT_TRUE(has_error(errors, "traffic.mix.0.model: key 'app' may not call 'chat'"))
      << joined(errors);
  yaml = keyed_scenario("", "  rate: 10\n");
  yaml.replace(yaml.find("key: app"), 8, "key: ap");
  errors = errors_of(yaml);
  EXPECT_TRUE(has_error(errors, "traffic.mix.0.key: 'ap' is not the name of an entry of keys"))
      << joined(errors);
  yaml = keyed_scenario("", "  rate: 10\n");
  yaml.replace(yaml.find("    - key: app\n"), 15, "    - priority: high\n      key: app\n");
  errors = errors_of(yaml);
  EXPECT_TRUE(has_error(errors, "traffic.mix.0.priority: is given together with key"))
      << joined(errors);
  // Once keys exist, authentication is on: every request is sent with one.
  errors = errors_of(minimal_scenario("  rate: 10\n", "keys: [{name: app}]\n"));
  EXPECT_TRUE(has_error(errors, "traffic.mix.0.key: must name one of keys")) << joined(errors);
  // The key's priority is its requests' admission class.
  const ScenarioConfig scenario = scenario_of(keyed_scenario(", priority: high", "  rate: 10\n"));
  EXPECT_EQ(scenario.keys.at(0).priority, "high");
}

}  // namespace
}  // namespace sluice::sim
