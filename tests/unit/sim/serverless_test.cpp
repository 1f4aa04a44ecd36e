// platform: {kind: serverless}: the ServerlessPool placing real replicas, on loads whose every
// event can be worked out by hand.

#include <gtest/gtest.h>

#include "sim/report/report_html.hpp"
#include "sim/report/report_json.hpp"
#include "unit/sim/sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::scenario_of;

// Evenly spaced arrivals at `rate` (the first at 1/rate); every request takes exactly `seconds`
// at the upstream (its first and only token); `platform` is the platform section's keys after
// kind (indented two spaces).
std::string serverless(const std::string& duration, double rate, const std::string& seconds,
                       const std::string& platform, bool stream = false) {
  return "duration: " + duration +
         "\n"
         "seed: 2\n"
         "window: 60s\n"
         "traffic:\n"
         "  arrivals: uniform\n"
         "  rate: " +
         std::to_string(rate) +
         "\n"
         "  mix:\n"
         "    - model: chat\n"
         "      stream: " +
         (stream ? "true" : "false") +
         "\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 1}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: " +
         seconds +
         "}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "platform:\n"
         "  kind: serverless\n" +
         platform;
}

// Arrivals every 0.5 s, each taking 0.9 s, one request per instance, cold starts of 0.3 s:
// request 1 (at 0.5 s) starts instance 1 (ready at 0.8, busy to 1.7); request 2 (1.0 s) finds it
// busy and starts instance 2 (to 2.2); request 3 (1.5 s) starts instance 3 (to 2.7); from
// request 4 (2.0 s) on, at most one other request is running at an arrival, and the pool
// prefers the lowest-numbered free instance: instances 1 and 2 take turns, and instance 3, idle
// from 2.7 s, expires 10 minutes later.
const std::string kLambda =
    "  preset: lambda\n"
    "  cold_start: {dist: constant, value: 300ms}\n"
    "  memory_gb: 2\n";

TEST(ServerlessTest, ColdStartsOnlyUntilWarmInstancesCoverTheLoad) {
  Simulation simulation(scenario_of(serverless("20m", 2, "900ms", kLambda, true)));
  std::vector<RequestRecord> records;
  simulation.on_request([&](const RequestRecord& r) { records.push_back(r); });
  const RunStats& stats = simulation.run();
  const ServerlessStats& s = simulation.serverless()->stats();
  const std::uint64_t n = stats.totals().requests;
  EXPECT_NEAR(static_cast<double>(n), 2400, 1);
  EXPECT_EQ(stats.totals().completed, n);
  EXPECT_EQ(s.invocations, n);
  EXPECT_EQ(s.cold_starts_total, 3u);
  EXPECT_EQ(s.cold_start_requests, 3u);
  EXPECT_EQ(s.throttled, 0u);
  EXPECT_EQ(s.peak_instances, 3);
  EXPECT_NEAR(s.cold_start_wait.mean(), 0.3, 1e-9);
  // Each instance is a real replica, created when it first served.
  EXPECT_EQ(simulation.replica_count(), 3u);
  // The three cold requests wait 0.3 s more, in their latency and their time to first token.
  ASSERT_EQ(records.size(), n);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const double expected = records[i].arrival < 2 ? 1.2 : 0.9;
    EXPECT_NEAR(records[i].latency(), expected, 1e-6) << "request at " << records[i].arrival;
    ASSERT_TRUE(records[i].ttft.has_value());
    EXPECT_NEAR(*records[i].ttft, expected, 1e-6);
  }
  EXPECT_NEAR(stats.totals().latency.max(), 1.2, 1e-3);
  // Instances over time: three from the third arrival on; instance 3 expires at 2.7 s + 600 s.
  ASSERT_GE(s.instances.size(), 20u);
  EXPECT_EQ(s.instances[0].max, 3);
  EXPECT_EQ(s.instances[9].min, 3);
  EXPECT_EQ(s.instances[10].max, 3);
  EXPECT_EQ(s.instances[10].min, 2);
  EXPECT_NEAR(s.instances[10].mean, 2 + 2.7 / 60, 1e-6);
  EXPECT_EQ(s.instances[11].max, 2);
  EXPECT_EQ(s.cold_starts[0], 3u);
  // Lambda bills each request's duration to the millisecond, the cold start included, plus the
  // request fee: 0.9 s for every request, 0.3 s more for the three that started an instance.
  const double billed = 0.9 * static_cast<double>(n) + 3 * 0.3;
  EXPECT_NEAR(s.cost.compute_seconds, billed, 1e-6);
  EXPECT_NEAR(s.cost.compute, billed * 2 * 0.0000166667, 1e-9);
  EXPECT_NEAR(s.cost.requests, static_cast<double>(n) * 0.20 / 1e6, 1e-12);
  EXPECT_EQ(s.cost.warm, 0);
  EXPECT_NEAR(simulation.platform_cost_usd(), s.cost.total(), 1e-12);
  // Instance-hours over the 20 minutes: instances 1 and 2 from their cold starts, instance 3
  // from 1.5 s until it expired at 602.7 s.
  EXPECT_NEAR(s.instance_seconds, (1200 - 0.5) + (1200 - 1.0) + (602.7 - 1.5), 1e-6);
}

TEST(ServerlessTest, BeyondMaxInstancesRequestsAreThrottled) {
  // One instance: a request arriving while it is busy (every other one, once warm) gets 429.
  Simulation simulation(
      scenario_of(serverless("10m", 2, "900ms", kLambda + "  max_instances: 1\n")));
  const RunStats& stats = simulation.run();
  const ServerlessStats& s = simulation.serverless()->stats();
  const SeriesStats& t = stats.totals();
  const auto throttled = t.causes[static_cast<std::size_t>(Cause::throttled)];
  // Request 1 runs from 0.5 to 1.7 s (its cold start included): requests 2 and 3 are refused;
  // from request 4 on, every other one is.
  EXPECT_EQ(throttled, 2 + (t.requests - 3) / 2);
  EXPECT_EQ(s.throttled, throttled);
  EXPECT_EQ(t.completed + throttled, t.requests);
  EXPECT_EQ(s.cold_starts_total, 1u);
  EXPECT_EQ(s.invocations, t.completed);  // refused requests are not billed
  EXPECT_NEAR(s.cost.requests, static_cast<double>(t.completed) * 0.20 / 1e6, 1e-12);
  const std::string json = render_report_json(simulation, "s.yaml");
  EXPECT_NE(json.find("\"throttled\": " + std::to_string(throttled)), std::string::npos);
}

TEST(ServerlessTest, QueuedRequestsWaitForASlotUntilTheQueueTimeout) {
  // Cloud Run's overflow: the requests beyond the one instance wait up to 2 s. Arrivals at 1, 2
  // and 3 s, 2.5 s each: request 2 waits until 3.5 s and ends at 6 s; request 3's slot would
  // come at 6 s, after its deadline (5 s): refused then.
  Simulation simulation(scenario_of(serverless("3500ms", 1, "2500ms",
                                               "  preset: cloud_run\n"
                                               "  cold_start: {dist: constant, value: 0s}\n"
                                               "  concurrency: 1\n"
                                               "  max_instances: 1\n"
                                               "  queue_limit: 5\n"
                                               "  queue_timeout: 2s\n")));
  std::vector<RequestRecord> records;
  simulation.on_request([&](const RequestRecord& r) { records.push_back(r); });
  simulation.run();
  const ServerlessStats& s = simulation.serverless()->stats();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(s.queued, 2u);
  EXPECT_EQ(s.throttled, 1u);
  EXPECT_NEAR(records[0].latency(), 2.5, 1e-9);
  // In the order they ended: request 3 refused at 5 s, request 2 answered at 6 s.
  EXPECT_NEAR(records[1].arrival, 3, 1e-9);
  EXPECT_NEAR(records[1].end, 5, 1e-9);
  EXPECT_EQ(records[1].cause, Cause::throttled);
  EXPECT_NEAR(records[2].arrival, 2, 1e-9);
  EXPECT_EQ(records[2].cause, Cause::none);
  EXPECT_NEAR(records[2].latency(), 4, 1e-9);
}

TEST(ServerlessTest, AnIdlePoolScalesToZeroAndStartsColdAgain) {
  // Cloud Run: 80 requests per instance, so one instance serves each burst; the 20 quiet minutes
  // outlast the 15-minute idle expiry.
  const std::string yaml = serverless("25m", 1, "1s",
                                      "  preset: cloud_run\n"
                                      "  cold_start: {dist: constant, value: 2s}\n");
  std::string phased = yaml;
  phased.replace(phased.find("  rate: "),
                 phased.find("\n", phased.find("  rate: ")) + 1 - phased.find("  rate: "),
                 "  phases:\n"
                 "    - {duration: 2m, rate: 1}\n"
                 "    - {duration: 20m, rate: 0}\n"
                 "    - {duration: 3m, rate: 1}\n");
  Simulation simulation(scenario_of(phased));
  const RunStats& stats = simulation.run();
  const ServerlessStats& s = simulation.serverless()->stats();
  EXPECT_EQ(stats.totals().failed(), 0u);
  EXPECT_EQ(s.cold_starts_total, 2u);
  // Each burst's first request starts the instance (2 s); the next, 1 s later, joins it and waits
  // the remaining second; the third arrives as it becomes ready.
  EXPECT_EQ(s.cold_start_requests, 4u);
  EXPECT_NEAR(s.cold_start_wait.sum(), 2 * (2 + 1), 1e-6);
  EXPECT_EQ(simulation.replica_count(), 2u);
  // The first instance, idle from about 121 s, is gone at about 1021 s (window 17).
  EXPECT_EQ(s.instances[16].min, 1);
  EXPECT_EQ(s.instances[17].max, 1);
  EXPECT_EQ(s.instances[17].min, 0);
  EXPECT_EQ(s.instances[20].max, 0);
  EXPECT_EQ(s.instances[22].max, 1);
  EXPECT_EQ(s.cold_starts[0], 1u);
  EXPECT_EQ(s.cold_starts[22], 1u);
  // Cloud Run bills the instance's busy time, without its start-up: from the end of each
  // burst's start-up (2 s after its first arrival) to its last request's end, the requests
  // overlapping there sharing it.
  const double busy = (121 - 3) + (simulation.ended_at() - 1323);
  EXPECT_NEAR(s.cost.compute_seconds, busy, 1e-6);
  EXPECT_NEAR(s.cost.compute, busy * (0.000024 + 0.5 * 0.0000025), 1e-9);
  EXPECT_NEAR(s.cost.requests, static_cast<double>(stats.totals().requests) * 0.40 / 1e6, 1e-12);
}

TEST(ServerlessTest, WarmMinimumServesWithoutColdStartsAndIsBilledAllAlong) {
  Simulation simulation(
      scenario_of(serverless("10m", 2, "900ms",
                             kLambda + "  min_instances: 2\n"
                                       "  warm_price_per_gb_second: 0.000004\n")));
  simulation.run();
  const ServerlessStats& s = simulation.serverless()->stats();
  EXPECT_EQ(s.cold_starts_total, 0u);
  EXPECT_EQ(s.peak_instances, 2);
  EXPECT_NEAR(s.cost.warm, 2 * 600 * 2 * 0.000004, 1e-9);
}

TEST(ServerlessTest, SameScenarioSameReportWithThePoolsFigures) {
  const ScenarioConfig scenario = scenario_of(
      serverless("5m", 3, "1s",
                 "  preset: lambda\n  cold_start: {dist: lognormal, median: 400ms, p99: 2s}\n"));
  Simulation a(scenario);
  a.run();
  Simulation b(scenario);
  b.run();
  const std::string json = render_report_json(a, "s.yaml");
  EXPECT_EQ(json, render_report_json(b, "s.yaml"));
  for (const char* key :
       {"\"kind\": \"serverless\"", "\"preset\": \"lambda\"", "\"cold_starts\":",
        "\"cold_start_share\":", "\"cold_start_wait_s\":", "\"throttled\":", "\"instance_hours\":",
        "\"billed_seconds\":", "\"compute\":", "\"total_cost_usd\":", "\"instances\":"})
    EXPECT_NE(json.find(key), std::string::npos) << key;
  EXPECT_EQ(json.find("\"ready_replicas\""), std::string::npos);
  const std::string html = render_report_html(a, "s.yaml");
  for (const char* series : {"instances_mean", "instances_max", "cold_starts"})
    EXPECT_NE(html.find(std::string("data-series=\"") + series + "\""), std::string::npos)
        << series;
  EXPECT_NE(html.find("<table id=\"platform\">"), std::string::npos);
}

TEST(ServerlessTest, PresetFillsWhatTheFileLeavesOut) {
  const ScenarioConfig cloud_run = scenario_of(serverless("1m", 1, "1s",
                                                          "  preset: cloud_run\n"
                                                          "  cold_start: {dist: constant, "
                                                          "value: 1s}\n"
                                                          "  max_instances: 10\n"));
  const ServerlessPlatformConfig& c = cloud_run.platform.serverless;
  EXPECT_EQ(c.concurrency, 80);
  EXPECT_EQ(c.max_instances, 10);     // given
  EXPECT_EQ(c.queue_limit, 10 * 80);  // follows the given maximum
  EXPECT_EQ(c.overflow, "queue");
  EXPECT_EQ(c.billing, "per_instance_busy");
  EXPECT_DOUBLE_EQ(c.billing_granularity.count(), 0.1);
  EXPECT_DOUBLE_EQ(c.idle_expiry.count(), 900);
  EXPECT_DOUBLE_EQ(c.price_per_vcpu_second, 0.000024);
  EXPECT_FALSE(c.bill_cold_start);
  const ScenarioConfig lambda =
      scenario_of(serverless("1m", 1, "1s", "  cold_start: {dist: constant, value: 1s}\n"));
  EXPECT_EQ(lambda.platform.serverless.preset, "lambda");  // the default preset
  EXPECT_EQ(lambda.platform.serverless.concurrency, 1);
  EXPECT_EQ(lambda.platform.serverless.overflow, "throttle");
  EXPECT_DOUBLE_EQ(lambda.platform.serverless.price_per_request, 0.20 / 1e6);
  EXPECT_TRUE(lambda.platform.serverless.bill_cold_start);
}

TEST(ServerlessTest, EveryKeyIsCheckedByItsPath) {
  const auto errors = errors_of(serverless("1m", 1, "1s",
                                           "  preset: azure\n"
                                           "  concurrency: 0\n"
                                           "  min_instances: 5\n"
                                           "  max_instances: 2\n"
                                           "  idle_expiry: 0s\n"
                                           "  overflow: drop\n"
                                           "  queue_limit: -1\n"
                                           "  queue_timeout: -1s\n"
                                           "  memory_gb: -1\n"
                                           "  vcpu: -1\n"
                                           "  price_per_request: -1\n"
                                           "  price_per_gb_second: -1\n"
                                           "  price_per_vcpu_second: -1\n"
                                           "  warm_price_per_gb_second: -1\n"
                                           "  warm_price_per_vcpu_second: -1\n"
                                           "  billing: per_minute\n"
                                           "  billing_granularity: -1ms\n"
                                           "  warm_billing: never\n"
                                           "  bill_cold_start: maybe\n"
                                           "  replicas: {min: 2}\n"
                                           "  workers: {concurrency: 2}\n"
                                           "replicas: {count: 2}\n"));
  for (const char* prefix : {"platform.preset: unknown preset 'azure'",
                             "platform.cold_start: ",
                             "platform.concurrency: must be between 1 and 1000",
                             "platform.min_instances: must be between 0 and max_instances",
                             "platform.idle_expiry: must be greater than 0",
                             "platform.overflow: unknown overflow",
                             "platform.queue_limit: must not be negative",
                             "platform.queue_timeout: ",
                             "platform.memory_gb: must not be negative",
                             "platform.vcpu: must not be negative",
                             "platform.price_per_request: must not be negative",
                             "platform.price_per_gb_second: must not be negative",
                             "platform.price_per_vcpu_second: must not be negative",
                             "platform.warm_price_per_gb_second: must not be negative",
                             "platform.warm_price_per_vcpu_second: must not be negative",
                             "platform.billing: unknown billing 'per_minute'",
                             "platform.billing_granularity: ",
                             "platform.warm_billing: unknown warm billing 'never'",
                             "platform.bill_cold_start: ",
                             "platform.replicas: does not apply to kind serverless",
                             "platform.workers: does not apply to kind serverless",
                             "replicas.count: is given together with platform kind serverless"})
    EXPECT_TRUE(has_error(errors, prefix)) << prefix << "\n" << joined(errors);
  const auto max = errors_of(serverless("1m", 1, "1s",
                                        "  cold_start: {dist: constant, value: 1s}\n"
                                        "  max_instances: 5000\n"
                                        "  cold_strat: {}\n"));
  EXPECT_TRUE(has_error(max, "platform.max_instances: must be between 1 and 1000")) << joined(max);
  EXPECT_TRUE(has_error(max, "platform.cold_strat: unknown key")) << joined(max);
  EXPECT_NE(joined(max).find("did you mean platform.cold_start?"), std::string::npos);
  const auto server = errors_of(testing::minimal_scenario(
      "  rate: 10\n", "platform: {kind: server, cold_start: {dist: constant, value: 1s}}\n"));
  EXPECT_TRUE(has_error(server, "platform.cold_start: does not apply to kind server"))
      << joined(server);
  EXPECT_NE(joined(server).find("it is a key of kind serverless"), std::string::npos);
  const auto kind = errors_of(testing::minimal_scenario("  rate: 10\n", "platform: {kind: vm}\n"));
  EXPECT_TRUE(has_error(kind, "platform.kind: unknown platform 'vm'")) << joined(kind);
}

}  // namespace
}  // namespace sluice::sim
