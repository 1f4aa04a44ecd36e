// Fidelity: a logged run's upstream answers replayed (traffic.replay.answers) give the same
// decisions; the simulated access log (--access-log) replays to the decisions it logged; and the
// balancer's picks are gateway::pick's over the generator gateway.random_seed seeds, as in serve.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "gateway/routing/balancer.hpp"
#include "sim/report/access_log_writer.hpp"
#include "sim/scenario/access_log_replay.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using core::AttemptOutcome;

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

// Every finished request, in arrival order.
std::vector<RequestRecord> run(const ScenarioConfig& scenario) {
  Simulation simulation(scenario);
  std::vector<RequestRecord> seen;
  simulation.on_request([&](const RequestRecord& r) { seen.push_back(r); });
  simulation.run();
  std::stable_sort(seen.begin(), seen.end(), [](const RequestRecord& a, const RequestRecord& b) {
    return a.arrival < b.arrival;
  });
  return seen;
}

// What a request's decisions were: per attempt the deployment, the outcome, the backoff waited,
// whether a half-open circuit let it through and what it did to the circuit.
std::string decisions(const RequestRecord& r) {
  std::string out;
  for (const gateway::AttemptRecord& t : r.tries) {
    out += t.deployment + " " + std::string(core::to_string(t.outcome)) + " wait " +
           std::to_string(t.wait.count()) + (t.probe ? " probe" : "");
    if (t.circuit == gateway::CircuitBreaker::Transition::opened) out += " opened";
    if (t.circuit == gateway::CircuitBreaker::Transition::closed) out += " closed";
    out += "; ";
  }
  return out;
}

// A replay of `log` with upstream answers, on provider `primary` (alias `chat`, model `big`).
std::string answers_scenario(const std::string& log) {
  return "seed: 1\n"
         "traffic:\n"
         "  replay: {file: " +
         log +
         ", answers: true}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 100ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "  retry: {max_attempts: 3, base_backoff: 100ms, max_backoff: 1s, budget: 10s}\n";
}

// Request A (at 0 s) meets a 503 asking for 1 s, and is answered on its retry 1.05 s in; request
// B (at 0.5 s) is answered at once. The upstream counts its attempts A1, B1, A2: in the replay,
// B's attempt must take the second answer and A's retry the third.
TEST(FidelityTest, EachUpstreamAnswersItsAttemptsInTheOrderTheLogsStarted) {
  const std::string log = write_file(
      "fidelity_answers.log",
      R"({"ts":"2026-01-01T00:00:01.080Z","msg":"request","route":"/v1/chat/completions","status":200,"duration_ms":1080,"model":"chat","prompt_tokens":5,"completion_tokens":3,)"
      R"("tries":[{"deployment":"primary/big","outcome":"upstream_5xx","start_ms":0,"duration_ms":50,"wait_ms":0,"retry_after_ms":1000},)"
      R"({"deployment":"primary/big","outcome":"success","start_ms":1050,"duration_ms":30,"wait_ms":1000}]})"
      "\n"
      R"({"ts":"2026-01-01T00:00:00.520Z","msg":"request","route":"/v1/chat/completions","status":200,"duration_ms":20,"model":"chat","prompt_tokens":5,"completion_tokens":3,)"
      R"("tries":[{"deployment":"primary/big","outcome":"success","start_ms":0,"duration_ms":20,"wait_ms":0}]})"
      "\n");
  const ScenarioConfig scenario = scenario_of(answers_scenario(log));
  ASSERT_TRUE(scenario.replayed);
  ASSERT_EQ(scenario.replayed->answers.size(), 3u);
  const std::vector<RequestRecord> seen = run(scenario);
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_EQ(seen[0].tries.size(), 2u);
  EXPECT_EQ(decisions(seen[0]), "primary/big upstream_5xx wait 0; primary/big success wait 1000; ");
  EXPECT_EQ(seen[0].tries[0].duration, 50ms);
  ASSERT_TRUE(seen[0].tries[0].retry_after);
  EXPECT_EQ(*seen[0].tries[0].retry_after, 1000ms);
  EXPECT_EQ(seen[0].tries[1].start, 1050ms);
  EXPECT_EQ(seen[0].tries[1].duration, 30ms) << "the third answer, not the second";
  EXPECT_DOUBLE_EQ(seen[0].end, 1.08);
  EXPECT_EQ(decisions(seen[1]), "primary/big success wait 0; ");
  EXPECT_DOUBLE_EQ(seen[1].arrival, 0.5);
  EXPECT_EQ(seen[1].tries[0].duration, 20ms);
}

// Streams: a logged first token comes at its time; a stream that broke after it breaks again
// (and, its client having bytes, is not retried).
TEST(FidelityTest, ReplayedStreamsSendTheirFirstChunkWhenTheLogSays) {
  const std::string log = write_file(
      "fidelity_streams.log",
      R"({"ts":"2026-01-01T00:00:00.080Z","msg":"request","route":"/v1/chat/completions","status":200,"duration_ms":80,"model":"chat","ttft_ms":30,"prompt_tokens":5,"completion_tokens":9,)"
      R"("tries":[{"deployment":"primary/big","outcome":"reset","start_ms":0,"duration_ms":80,"wait_ms":0,"ttft_ms":30}]})"
      "\n"
      R"({"ts":"2026-01-01T00:00:01.050Z","msg":"request","route":"/v1/chat/completions","status":200,"duration_ms":50,"model":"chat","ttft_ms":20,"prompt_tokens":5,"completion_tokens":9,)"
      R"("tries":[{"deployment":"primary/big","outcome":"success","start_ms":0,"duration_ms":50,"wait_ms":0,"ttft_ms":20}]})"
      "\n");
  const std::vector<RequestRecord> seen = run(scenario_of(answers_scenario(log)));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].stream);
  EXPECT_EQ(seen[0].cause, Cause::stream_broken);
  EXPECT_EQ(decisions(seen[0]), "primary/big reset wait 0; ");
  ASSERT_TRUE(seen[0].ttft);
  EXPECT_DOUBLE_EQ(*seen[0].ttft, 0.03);
  EXPECT_DOUBLE_EQ(seen[0].end, 0.08);
  EXPECT_EQ(seen[1].cause, Cause::none);
  ASSERT_TRUE(seen[1].ttft);
  EXPECT_DOUBLE_EQ(*seen[1].ttft, 0.02);
  EXPECT_NEAR(seen[1].end - seen[1].arrival, 0.05, 1e-9);
  ASSERT_TRUE(seen[1].tries[0].first_token);
  EXPECT_EQ(*seen[1].tries[0].first_token, 20ms);
}

TEST(FidelityTest, AnswersNeedALogWithTries) {
  const std::string log = write_file(
      "fidelity_no_tries.log",
      R"({"ts":"2026-01-01T00:00:01.000Z","msg":"request","route":"/v1/chat/completions","duration_ms":20,"model":"chat"})"
      "\n");
  auto errors = errors_of(answers_scenario(log));
  EXPECT_TRUE(has_error(errors, "traffic.replay.answers: '")) << joined(errors);
  const std::string bad = write_file(
      "fidelity_bad_tries.log",
      R"({"ts":"2026-01-01T00:00:01.000Z","msg":"request","route":"/v1/chat/completions","duration_ms":20,"model":"chat","tries":[{"deployment":"primary/big","outcome":"fine","start_ms":0,"duration_ms":1}]})"
      "\n");
  errors = errors_of(answers_scenario(bad));
  EXPECT_TRUE(has_error(errors, "traffic.replay.answers: line 1 of '")) << joined(errors);
}

// Two weighted deployments that fail now and then (503s, 429s asking for 1 s), circuits that open
// and probe, backoffs with jitter and a fallback alias: the run's access log, replayed with its
// answers, gives every request the same decisions.
TEST(FidelityTest, ASimulatedAccessLogReplaysToTheDecisionsItLogged) {
  const std::string gateway =
      "gateway:\n"
      "  random_seed: 99\n"
      "  providers:\n"
      "    - {name: a, type: openai, base_url: https://a.example/v1}\n"
      "    - {name: b, type: openai, base_url: https://b.example/v1}\n"
      "    - {name: c, type: openai, base_url: https://c.example/v1}\n"
      "  models:\n"
      "    - alias: chat\n"
      "      deployments: [{provider: a, model: m, weight: 3}, {provider: b, model: m}]\n"
      "      fallbacks: [spare]\n"
      "    - {alias: spare, deployments: [{provider: c, model: m}]}\n"
      "  retry: {max_attempts: 4, base_backoff: 50ms, max_backoff: 400ms, budget: 10s}\n"
      "  circuit_breaker: {failure_threshold: 3, cooldown: 2s}\n";
  const std::string providers =
      "providers:\n"
      "  - {provider: a, ttft: {dist: lognormal, median: 80ms, p99: 400ms},\n"
      "     per_token: {dist: constant, value: 0s}, error_rate: 0.3,\n"
      "     error_latency: {dist: uniform, min: 5ms, max: 40ms},\n"
      "     rate_limit: {requests_per_second: 3, burst: 3, retry_after: 1s}}\n"
      "  - {provider: b, ttft: {dist: exponential, mean: 60ms}, per_token: {dist: constant, value: "
      "0s},\n"
      "     error_rate: 0.2, error_latency: {dist: constant, value: 15ms}}\n"
      "  - {provider: c, ttft: {dist: constant, value: 30ms}, per_token: {dist: constant, value: "
      "0s},\n"
      "     outages: [{from: 20s, to: 40s, fail_with: 5xx}]}\n";
  const ScenarioConfig live = scenario_of(
      "duration: 60s\nseed: 5\ntraffic:\n  rate: 4\n  mix:\n    - model: chat\n"
      "      prompt_tokens: {dist: constant, value: 10}\n"
      "      completion_tokens: {dist: constant, value: 5}\n" +
      providers + gateway);
  const std::vector<RequestRecord> logged = run(live);
  ASSERT_GT(logged.size(), 150u);
  std::string log;
  for (const RequestRecord& r : logged) log += AccessLogWriter::line(r, 1767225600.0) + "\n";
  const std::string path = write_file("fidelity_simulated.log", log);

  // The same gateway section; the upstreams' own behaviour comes from the log now.
  const ScenarioConfig replay = scenario_of(
      "seed: 1\ntraffic:\n  replay: {file: " + path + ", answers: true}\n" +
      "providers:\n"
      "  - {provider: a, ttft: {dist: constant, value: 1s}, per_token: {dist: constant, value: "
      "0s}}\n"
      "  - {provider: b, ttft: {dist: constant, value: 1s}, per_token: {dist: constant, value: "
      "0s}}\n"
      "  - {provider: c, ttft: {dist: constant, value: 1s}, per_token: {dist: constant, value: "
      "0s}}\n" +
      gateway);
  const std::vector<RequestRecord> replayed = run(replay);
  ASSERT_EQ(replayed.size(), logged.size());
  int retries = 0, waits = 0, openings = 0, probes = 0, fallbacks = 0;
  for (std::size_t i = 0; i < logged.size(); ++i) {
    ASSERT_EQ(decisions(replayed[i]), decisions(logged[i])) << "request " << i;
    for (const gateway::AttemptRecord& t : logged[i].tries) {
      waits += t.wait > 0ms;
      openings += t.circuit == gateway::CircuitBreaker::Transition::opened;
      probes += t.probe;
      fallbacks += t.deployment == "c/m";
    }
    retries += logged[i].tries.size() > 1;
    // Arrivals come back to the log's millisecond.
    EXPECT_NEAR(replayed[i].arrival, logged[i].arrival - logged[0].arrival, 0.002);
  }
  // The run exercised what it claims to compare.
  EXPECT_GT(retries, 20);
  EXPECT_GT(waits, 5);
  EXPECT_GT(openings, 0);
  EXPECT_GT(probes, 0);
  EXPECT_GT(fallbacks, 0);
}

// The simulated replica decides with the production balancer over the generator
// gateway.random_seed gives it, as serve seeds its one event loop: per request one draw seeds the
// retry jitter, then gateway::pick chooses among the alias' deployments.
TEST(FidelityTest, PicksAreTheProductionBalancersOverTheConfiguredSeed) {
  const auto picks_with = [](int seed) {
    const ScenarioConfig scenario = scenario_of(
        "duration: 40s\nseed: 1\ntraffic:\n  rate: 1\n  arrivals: uniform\n  mix:\n"
        "    - model: chat\n      prompt_tokens: {dist: constant, value: 10}\n"
        "      completion_tokens: {dist: constant, value: 5}\n"
        "providers:\n"
        "  - {provider: a, ttft: {dist: constant, value: 10ms}, per_token: {dist: constant, "
        "value: 0s}}\n"
        "  - {provider: b, ttft: {dist: constant, value: 10ms}, per_token: {dist: constant, "
        "value: 0s}}\n"
        "gateway:\n"
        "  random_seed: " +
        std::to_string(seed) +
        "\n"
        "  providers:\n"
        "    - {name: a, type: openai, base_url: https://a.example/v1}\n"
        "    - {name: b, type: openai, base_url: https://b.example/v1}\n"
        "  models:\n"
        "    - alias: chat\n"
        "      deployments: [{provider: a, model: m, weight: 3}, {provider: b, model: m}]\n");
    std::vector<std::string> picks;
    for (const RequestRecord& r : run(scenario)) picks.push_back(r.deployment);
    return picks;
  };
  const auto expected_with = [](std::uint64_t seed, std::size_t n) {
    gateway::Rng rng(seed);
    const gateway::Candidate candidates[] = {{3, nullptr}, {1, nullptr}};
    std::vector<std::string> picks;
    for (std::size_t i = 0; i < n; ++i) {
      rng();  // the request's retry jitter seed
      picks.push_back(gateway::pick(gateway::Strategy::weighted, candidates, rng) == 0 ? "a/m"
                                                                                       : "b/m");
    }
    return picks;
  };
  const std::vector<std::string> seven = picks_with(7);
  ASSERT_GE(seven.size(), 39u);  // one a second for 40 s
  EXPECT_EQ(seven, expected_with(7, seven.size()));
  EXPECT_EQ(picks_with(8), expected_with(8, seven.size()));
  EXPECT_NE(picks_with(8), seven);
  EXPECT_GT(std::count(seven.begin(), seven.end(), "b/m"), 0);
}

}  // namespace
}  // namespace sluice::sim
