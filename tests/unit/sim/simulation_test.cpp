// Whole runs: determinism, and that the simulator runs the production gateway code (its breaker
// counters, its retry schedule, its no-retry-after-the-first-byte rule, its admission gate).
#include "sim/model/simulation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>

#include "sim/report/report_json.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using namespace testing;

std::size_t cause_count(const SeriesStats& s, Cause cause) {
  return s.causes[static_cast<std::size_t>(cause)];
}

// Poisson traffic, streams and not, lognormal latencies, random faults, an outage with a
// fallback, two replicas: every stream of randomness takes part.
std::string busy_scenario() {
  return "duration: 2m\n"
         "seed: 1\n"
         "window: 30s\n"
         "traffic:\n"
         "  rate: 40\n"
         "  mix:\n"
         "    - {weight: 2, model: chat, stream: true,\n"
         "       prompt_tokens: {dist: lognormal, median: 500, p99: 4000},\n"
         "       completion_tokens: {dist: exponential, mean: 200}}\n"
         "    - {weight: 1, model: chat,\n"
         "       prompt_tokens: {dist: uniform, min: 100, max: 900},\n"
         "       completion_tokens: {dist: constant, value: 50}}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: lognormal, median: 300ms, p99: 2s}\n"
         "    per_token: {dist: uniform, min: 5ms, max: 20ms}\n"
         "    error_rate: 0.05\n"
         "    reset_rate: 0.02\n"
         "    outages: [{from: 40s, to: 70s, fail_with: 5xx}]\n"
         "  - provider: backup\n"
         "    ttft: {dist: exponential, mean: 500ms}\n"
         "    per_token: {dist: constant, value: 15ms}\n"
         "replicas: {count: 2}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "    - {name: backup, type: openai, base_url: https://backup.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      strategy: lowest_latency\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "      fallbacks: [chat-backup]\n"
         "    - {alias: chat-backup, deployments: [{provider: backup, model: big2}]}\n"
         "  prices:\n"
         "    - {model: big, input_per_million: 2.5, output_per_million: 10}\n"
         "    - {model: big2, input_per_million: 0.5, output_per_million: 1.5}\n"
         "admission: {max_concurrency: 64, max_queue: 64, max_wait: 1s}\n";
}

std::string report_for(const std::string& yaml, const ScenarioFlags& flags = {}) {
  Simulation simulation(scenario_of(yaml, flags));
  simulation.run();
  return render_report_json(simulation, "busy.yaml");
}

TEST(SimulationTest, TheSameSeedGivesTheSameBytesAndAnotherSeedOthers) {
  const std::string first = report_for(busy_scenario());
  EXPECT_EQ(report_for(busy_scenario()), first);
  ScenarioFlags other;
  other.seed = "2";
  EXPECT_NE(report_for(busy_scenario(), other), first);
  // The run did what it is meant to exercise.
  const boost::json::object report = boost::json::parse(first).as_object();
  const boost::json::object& totals = report.at("totals").as_object();
  EXPECT_GT(totals.at("fallbacks").as_int64(), 0);
  EXPECT_GT(totals.at("errors").at("stream_broken").as_int64(), 0);
  EXPECT_GT(totals.at("queue_wait_s").at("queued").as_int64(), 0);
  EXPECT_GT(totals.at("breaker_openings").as_int64(), 0);
  EXPECT_EQ(report.at("deployments").as_array().size(), 2u);
  EXPECT_EQ(report.at("windows").as_array().size(), 5u);  // 2 minutes, and the last to finish
}

// Outage [10 s, 20 s) answering 503 at once; evenly spaced arrivals every 100 ms; one attempt per
// request; cooldown 4 s. What the production breaker must do, worked out by hand:
//  - threshold 1: opens at 10.0; probes at 14.0 and 18.0 fail and reopen it; the probe at 22.0
//    succeeds: 3 openings, 3 upstream 503s, 3 x 39 requests refused while open.
//  - threshold 50: 10.0 .. 14.9 fail (50), opens at 14.9; the probe at 18.9 fails and reopens;
//    the one at 22.9 succeeds: 2 openings, 51 503s, 2 x 39 refused.
//  - threshold 200: never reached: every one of the 100 requests in the outage gets a 503.
struct BreakerRun {
  double openings = 0;
  std::size_t upstream_5xx = 0;
  std::size_t circuit_open = 0;
  std::size_t completed = 0;
  std::string registry_line;
};

BreakerRun run_outage(int failure_threshold) {
  const std::string yaml = minimal_scenario("  rate: 10\n  arrivals: uniform\n",
                                            "  retry: {max_attempts: 1}\n"
                                            "  circuit_breaker: {failure_threshold: " +
                                                std::to_string(failure_threshold) +
                                                ", cooldown: 4s, half_open_requests: 1}\n");
  // minimal_scenario's provider answers in 100 ms + 49 x 10 ms; give it the outage.
  std::string with_outage = yaml;
  with_outage.replace(with_outage.find("    per_token: {dist: constant, value: 10ms}\n"),
                      std::string("    per_token: {dist: constant, value: 10ms}\n").size(),
                      "    per_token: {dist: constant, value: 0s}\n"
                      "    outages: [{from: 10s, to: 20s, fail_with: 5xx}]\n");
  with_outage.replace(with_outage.find("duration: 60s"), 13, "duration: 30s");
  Simulation simulation(scenario_of(with_outage));
  const SeriesStats& totals = simulation.run().totals();
  BreakerRun out;
  out.openings = totals.gateway.breaker_openings;
  out.upstream_5xx = cause_count(totals, Cause::upstream_5xx);
  out.circuit_open = cause_count(totals, Cause::circuit_open);
  out.completed = totals.completed;
  out.registry_line = metric_line(simulation.replica(0).registry().render(),
                                  "sluice_circuit_transitions_total{deployment=\"primary/big\","
                                  "to=\"open\"}");
  return out;
}

TEST(SimulationTest, AnOutageMovesTheRealBreakerExactlyAsItsThresholdSays) {
  const BreakerRun one = run_outage(1);
  EXPECT_EQ(one.openings, 3);
  EXPECT_EQ(one.upstream_5xx, 3u);
  EXPECT_EQ(one.circuit_open, 3u * 39);
  EXPECT_EQ(one.completed, 299u - 3 - 3 * 39);
  // Read from GatewayMetrics' own registry: the production counter moved.
  EXPECT_EQ(one.registry_line,
            "sluice_circuit_transitions_total{deployment=\"primary/big\",to=\"open\"} 3");

  const BreakerRun fifty = run_outage(50);
  EXPECT_EQ(fifty.openings, 2);
  EXPECT_EQ(fifty.upstream_5xx, 51u);
  EXPECT_EQ(fifty.circuit_open, 2u * 39);

  const BreakerRun never = run_outage(200);
  EXPECT_EQ(never.openings, 0);
  EXPECT_EQ(never.upstream_5xx, 100u);
  EXPECT_EQ(never.circuit_open, 0u);
  EXPECT_EQ(never.registry_line, "");
}

// A 429 asking for 2 s: the production retry schedule waits exactly that (its own backoff, at
// most 100 ms here, is raised to the upstream's demand), then succeeds.
TEST(SimulationTest, TheRetryScheduleHonoursRetryAfter) {
  std::string yaml = minimal_scenario(
      "  rate: 10\n  arrivals: uniform\n",
      "  retry: {max_attempts: 2, base_backoff: 100ms, max_backoff: 100ms, budget: 10s}\n"
      "  circuit_breaker: {failure_threshold: 100}\n");
  const std::string provider_line = "    per_token: {dist: constant, value: 10ms}\n";
  yaml.replace(yaml.find(provider_line), provider_line.size(),
               "    per_token: {dist: constant, value: 0s}\n"
               "    rate_limit: {retry_after: 2s}\n"
               "    outages: [{from: 0s, to: 1s, fail_with: 429}]\n");
  yaml.replace(yaml.find("duration: 60s"), 13, "duration: 5s");
  Simulation simulation(scenario_of(yaml));
  std::map<double, double> latency_by_arrival;
  simulation.on_request([&](const RequestRecord& r) {
    EXPECT_EQ(r.cause, Cause::none);
    latency_by_arrival[r.arrival] = r.latency();
  });
  const SeriesStats& totals = simulation.run().totals();
  ASSERT_EQ(latency_by_arrival.size(), 49u);
  for (const auto& [arrival, latency] : latency_by_arrival) {
    const double expected = arrival < 1 ? 2.1 : 0.1;  // + the 100 ms answer
    EXPECT_NEAR(latency, expected, 1e-6) << "arrived at " << arrival;
  }
  EXPECT_EQ(totals.gateway.retries, 9);
  EXPECT_EQ(totals.attempts, 49u + 9);
}

// After its first chunk a stream is never retried (the client has bytes); before it, it is.
// Tokens every 2 s and a 1 s idle timeout: a stream breaks right after its first chunk, while a
// non-streamed answer (due after 5 s, past the 3 s first-byte timeout) times out before any byte
// and is retried up to max_attempts.
TEST(SimulationTest, AStreamBrokenAfterItsFirstChunkIsNotRetried) {
  const std::string yaml =
      "duration: 20s\n"
      "traffic:\n"
      "  rate: 2\n"
      "  mix:\n"
      "    - {model: chat, stream: true, prompt_tokens: {dist: constant, value: 10},\n"
      "       completion_tokens: {dist: constant, value: 3}}\n"
      "    - {model: chat, stream: false, prompt_tokens: {dist: constant, value: 10},\n"
      "       completion_tokens: {dist: constant, value: 3}}\n"
      "providers:\n"
      "  - provider: primary\n"
      "    ttft: {dist: constant, value: 1s}\n"
      "    per_token: {dist: constant, value: 2s}\n"
      "gateway:\n"
      "  providers: [{name: primary, type: openai, base_url: https://p.example/v1,\n"
      "               idle_timeout: 1s, first_byte_timeout: 3s}]\n"
      "  models: [{alias: chat, deployments: [{provider: primary, model: big}]}]\n"
      "  retry: {max_attempts: 3, base_backoff: 10ms, max_backoff: 10ms}\n"
      "  circuit_breaker: {failure_threshold: 1000}\n";
  Simulation simulation(scenario_of(yaml));
  std::size_t streams = 0;
  std::size_t plain = 0;
  simulation.on_request([&](const RequestRecord& r) {
    if (r.stream) {
      ++streams;
      EXPECT_EQ(r.cause, Cause::stream_broken);
      EXPECT_EQ(r.attempts, 1);
      ASSERT_TRUE(r.ttft);
      EXPECT_NEAR(*r.ttft, 1.0, 1e-9);
      EXPECT_NEAR(r.latency(), 2.0, 1e-9);  // first chunk at 1 s, idle timeout 1 s later
      EXPECT_EQ(r.completion_tokens, 1);    // what it delivered, and was billed
    } else {
      ++plain;
      EXPECT_EQ(r.cause, Cause::timeout);
      EXPECT_EQ(r.attempts, 3);
    }
  });
  simulation.run();
  EXPECT_GT(streams, 5u);
  EXPECT_GT(plain, 5u);
}

// The admission gate serves high priority first, sheds low priority first when its queue is
// full, and times out waiters after admission.max_wait, as the server's filter does. High
// priority alone (3 a second) fits in 4 servers of mean 1 s; with low priority (3 a second more)
// it does not.
TEST(SimulationTest, AdmissionServesHighPriorityFirstAndShedsLowFirst) {
  const std::string yaml =
      "duration: 120s\n"
      "traffic:\n"
      "  rate: 6\n"
      "  mix:\n"
      "    - {model: chat, priority: high, prompt_tokens: {dist: constant, value: 1},\n"
      "       completion_tokens: {dist: constant, value: 1}}\n"
      "    - {model: chat, priority: low, prompt_tokens: {dist: constant, value: 1},\n"
      "       completion_tokens: {dist: constant, value: 1}}\n"
      "providers:\n"
      "  - {provider: primary, ttft: {dist: exponential, mean: 1s},\n"
      "     per_token: {dist: constant, value: 0s}}\n"
      "gateway:\n"
      "  providers: [{name: primary, type: mock}]\n"
      "  models: [{alias: chat, deployments: [{provider: primary, model: m}]}]\n"
      "admission: {max_concurrency: 4, max_queue: 4, max_wait: 2s}\n";
  Simulation simulation(scenario_of(yaml));
  std::map<std::pair<std::size_t, Cause>, double> by_mix_and_cause;
  std::map<std::size_t, double> by_mix;
  simulation.on_request([&](const RequestRecord& r) {
    ++by_mix_and_cause[{r.mix, r.cause}];
    ++by_mix[r.mix];
  });
  const SeriesStats& totals = simulation.run().totals();
  const double high_served = by_mix_and_cause[{0, Cause::none}] / by_mix[0];
  const double low_served = by_mix_and_cause[{1, Cause::none}] / by_mix[1];
  std::printf(
      "[ admission ] served: high %.3f, low %.3f; shed: high %.0f, low %.0f; "
      "timed out: high %.0f, low %.0f\n",
      high_served, low_served, by_mix_and_cause[{0, Cause::shed}],
      by_mix_and_cause[{1, Cause::shed}], by_mix_and_cause[{0, Cause::queue_timeout}],
      by_mix_and_cause[{1, Cause::queue_timeout}]);
  // Low-priority requests in service hold servers too, so high priority waits at times.
  EXPECT_GT(high_served, 0.8);
  EXPECT_GT(high_served, 2 * low_served);
  const double low_shed = by_mix_and_cause[{1, Cause::shed}];
  const double high_shed = by_mix_and_cause[{0, Cause::shed}];
  EXPECT_GT(low_shed, 3 * high_shed);
  EXPECT_GT(cause_count(totals, Cause::queue_timeout), 0u);
  // Four servers of mean 1 s, busy most of the time: at most 4 completions a second.
  EXPECT_GT(static_cast<double>(totals.completed) / 120, 3.0);
  EXPECT_LT(static_cast<double>(totals.completed) / 120, 4.0);
}

// The upstream's rate limit holds across replicas: 429s above its request rate.
TEST(SimulationTest, AnUpstreamRateLimitHoldsAcrossReplicas) {
  const std::string yaml =
      "duration: 30s\n"
      "traffic: {rate: 10, arrivals: uniform,\n"
      "  mix: [{model: chat, prompt_tokens: {dist: constant, value: 1},\n"
      "         completion_tokens: {dist: constant, value: 1}}]}\n"
      "providers:\n"
      "  - {provider: primary, ttft: {dist: constant, value: 10ms},\n"
      "     per_token: {dist: constant, value: 0s},\n"
      "     rate_limit: {requests_per_second: 4, burst: 4, retry_after: 1s}}\n"
      "replicas: {count: 3}\n"
      "gateway:\n"
      "  providers: [{name: primary, type: mock}]\n"
      "  models: [{alias: chat, deployments: [{provider: primary, model: m}]}]\n"
      "  retry: {max_attempts: 1}\n"
      "  circuit_breaker: {failure_threshold: 100000}\n";
  Simulation limited(scenario_of(yaml));
  std::map<std::size_t, std::size_t> per_replica;
  limited.on_request([&](const RequestRecord& r) { ++per_replica[r.replica]; });
  const SeriesStats& rated = limited.run().totals();
  // 4 per second get through (after the first burst of 4), whichever replica sends them: the
  // bucket refills 0.4 a request over 299 requests.
  EXPECT_NEAR(static_cast<double>(rated.completed), 4 + 0.4 * 299, 2);
  EXPECT_EQ(rated.completed + cause_count(rated, Cause::rate_limited), rated.finished);
  ASSERT_EQ(per_replica.size(), 3u);
  for (const auto& [replica, n] : per_replica) EXPECT_EQ(n, replica < 2 ? 100u : 99u);
}

// An upstream that serves two at a time makes the rest wait in line (across replicas): 4 a
// second for 10 s, a second each, all answered within the default first-byte timeout, the last
// about 40 / 2 = 20 s after the start.
TEST(SimulationTest, AnUpstreamConcurrencyLimitMakesAttemptsWaitInLine) {
  const std::string yaml =
      "duration: 10s\n"
      "traffic: {rate: 4, arrivals: uniform,\n"
      "  mix: [{model: chat, prompt_tokens: {dist: constant, value: 1},\n"
      "         completion_tokens: {dist: constant, value: 1}}]}\n"
      "providers:\n"
      "  - {provider: primary, ttft: {dist: constant, value: 1s},\n"
      "     per_token: {dist: constant, value: 0s}, concurrency: 2}\n"
      "replicas: {count: 2}\n"
      "gateway:\n"
      "  providers: [{name: primary, type: mock}]\n"
      "  models: [{alias: chat, deployments: [{provider: primary, model: m}]}]\n";
  Simulation simulation(scenario_of(yaml));
  double longest = 0;
  simulation.on_request([&](const RequestRecord& r) { longest = std::max(longest, r.latency()); });
  const SeriesStats& totals = simulation.run().totals();
  EXPECT_EQ(totals.completed, 39u);
  // Two answers a second from 0.25 s on: the 39th of them ends at 0.25 + 20 = 20.25 s.
  EXPECT_NEAR(simulation.ended_at(), 20.25, 1e-6);
  EXPECT_NEAR(longest, 20.25 - 9.75, 1e-6);
}

// The 20x floor holds on a loaded two-core machine; bench/simulate.sh measures the real figure.
TEST(SimulationTest, SimulatesFarFasterThanRealTime) {
  std::string yaml = busy_scenario();
  yaml.replace(yaml.find("duration: 2m"), 12, "duration: 10m");
  yaml.replace(yaml.find("rate: 40"), 8, "rate: 200");
  Simulation simulation(scenario_of(yaml));
  const auto started = std::chrono::steady_clock::now();
  const SeriesStats& totals = simulation.run().totals();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ speed ] %llu requests, 600 s simulated in %.2f s: %.0fx real time\n",
              static_cast<unsigned long long>(totals.requests), wall, 600 / wall);
  EXPECT_GT(totals.requests, 110'000u);
  EXPECT_GT(600 / wall, 20.0);
}

}  // namespace
}  // namespace sluice::sim
