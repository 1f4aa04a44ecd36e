// The HTTP layer's metrics of simulated replicas: every request a replica answers is in
// http_server_request_duration_seconds{method,route,status} with the status the server answers
// for its cause, and a duration on the virtual clock; admission's refusals in sluice_shed_total.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::minimal_scenario;
using testing::scenario_of;

constexpr std::string_view kSeries = "http_server_request_duration_seconds";

// Sums, over every replica's /metrics text, the samples of `name` whose labels match
// `labels` (a regex over the text between the braces), by the value of label `by` (or "" for
// all together).
std::map<std::string, double> sum_by(const Simulation& simulation, const std::string& name,
                                     const std::string& labels, const std::string& by = "") {
  std::map<std::string, double> sums;
  const std::regex line("^" + name + "(?:\\{(" + labels + ")\\})? (\\S+)$");
  const std::regex label(by + "=\"([^\"]*)\"");
  for (std::size_t i = 0; i < simulation.replica_count(); ++i) {
    const std::string text = simulation.replica(i).registry().render();
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string one = text.substr(start, end - start);
      start = end + 1;
      std::smatch m;
      if (!std::regex_match(one, m, line)) continue;
      std::string key;
      if (!by.empty()) {
        const std::string matched = m[1].str();
        std::smatch l;
        if (std::regex_search(matched, l, label)) key = l[1].str();
      }
      sums[key] += std::stod(m[2].str());
    }
  }
  return sums;
}

// Traffic that meets every way a simulated request ends at a replica: key `limited` over its
// request rate (the rate limit filter's 429), key `broke` over its daily budget with no cheaper
// model (the budget gate's 429), an admission gate too small for the load (shed at once, or
// after max_wait: 503), an upstream that fails with 503s, resets (broken streams once a stream
// has started), connection failures, 429s and silence in turn, circuit breakers that open, and
// a client timeout shorter than some answers (the request's deadline).
std::string every_ending() {
  return "duration: 10m\n"
         "seed: 5\n"
         "traffic:\n"
         "  rate: 20\n"
         "  mix:\n"
         "    - {weight: 4, key: app, model: chat, stream: true,\n"
         "       prompt_tokens: {dist: constant, value: 100},\n"
         "       completion_tokens: {dist: constant, value: 40}}\n"
         "    - {weight: 2, key: hurried, model: chat, timeout: 700ms,\n"
         "       prompt_tokens: {dist: constant, value: 100},\n"
         "       completion_tokens: {dist: constant, value: 40}}\n"
         "    - {weight: 2, key: limited, model: chat,\n"
         "       prompt_tokens: {dist: constant, value: 100},\n"
         "       completion_tokens: {dist: constant, value: 40}}\n"
         "    - {weight: 1, key: broke, model: chat,\n"
         "       prompt_tokens: {dist: constant, value: 100},\n"
         "       completion_tokens: {dist: constant, value: 40}}\n"
         "keys:\n"
         "  - {name: app}\n"
         "  - {name: hurried}\n"
         "  - {name: limited, requests_per_minute: 60}\n"
         "  - {name: broke, daily_budget_usd: 0.001}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: exponential, mean: 300ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "    error_latency: {dist: constant, value: 20ms}\n"
         "    error_rate: 0.03\n"
         "    reset_rate: 0.03\n"
         "    outages:\n"
         "      - {from: 2m, to: 3m, fail_with: 5xx}\n"
         "      - {from: 4m, to: 5m, fail_with: timeout}\n"
         "      - {from: 6m, to: 7m, fail_with: connect}\n"
         "      - {from: 8m, to: 9m, fail_with: '429'}\n"
         "replicas: {count: 2}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1,\n"
         "       first_byte_timeout: 1s}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "  prices:\n"
         "    - {model: big, input_per_million: 10, output_per_million: 30}\n"
         "    - {model: chat, input_per_million: 10, output_per_million: 30}\n"
         "  retry: {max_attempts: 2, base_backoff: 50ms, max_backoff: 200ms}\n"
         "  circuit_breaker: {failure_threshold: 10, cooldown: 5s}\n"
         "admission: {max_concurrency: 6, max_queue: 3, max_wait: 300ms}\n";
}

TEST(SimulatedHttpMetricsTest, EveryRequestIsCountedUnderTheStatusTheServerAnswersItsCauseWith) {
  Simulation simulation(scenario_of(every_ending()));
  std::map<Cause, std::set<int>> statuses;
  std::map<std::string, double> by_status;
  double seconds = 0;
  simulation.on_request([&](const RequestRecord& r) {
    statuses[r.cause].insert(r.status);
    by_status[std::to_string(r.status)] += 1;
    seconds += r.end - r.arrival;
  });
  const RunStats& stats = simulation.run();

  // What the live server answers for each cause: the rate limit filter's and the budget gate's
  // 429 (code rate_limit_exceeded, budget_exceeded), admission control's 503 (overloaded), the
  // upstream's own 503 and 429 relayed, 502 for a connection that failed, 504 for a timeout or
  // the deadline, 503 with every circuit open, and 200 for a stream that broke after its head.
  const std::map<Cause, int> expected = {{Cause::none, 200},
                                         {Cause::stream_broken, 200},
                                         {Cause::rate_limit_exceeded, 429},
                                         {Cause::budget_exceeded, 429},
                                         {Cause::shed, 503},
                                         {Cause::queue_timeout, 503},
                                         {Cause::upstream_5xx, 503},
                                         {Cause::rate_limited, 429},
                                         {Cause::connection, 502},
                                         {Cause::timeout, 504},
                                         {Cause::deadline, 504},
                                         {Cause::circuit_open, 503}};
  for (const auto& [cause, status] : expected) {
    ASSERT_TRUE(statuses.contains(cause))
        << "the scenario never ended a request with cause " << to_string(cause);
    EXPECT_EQ(statuses[cause], std::set<int>{status}) << to_string(cause);
  }
  for (const auto& [cause, seen] : statuses)
    EXPECT_TRUE(expected.contains(cause)) << "unexpected cause " << to_string(cause);

  // The replicas' own series hold every request, by that status, and nothing else.
  const std::string chat = "method=\"POST\",route=\"/v1/chat/completions\",status=\"\\d+\"";
  const auto counted = sum_by(simulation, std::string(kSeries) + "_count", chat, "status");
  EXPECT_EQ(counted, by_status);
  double total = 0;
  for (const auto& [status, n] : counted) total += n;
  EXPECT_EQ(total, static_cast<double>(stats.totals().finished));
  EXPECT_EQ(total, static_cast<double>(stats.totals().requests));
  EXPECT_EQ(sum_by(simulation, std::string(kSeries) + "_count", ".*").size(), 1u)
      << "no series but chat completions'";
  // Durations from arrival at the replica to the answer, on the virtual clock.
  EXPECT_NEAR(sum_by(simulation, std::string(kSeries) + "_sum", chat)[""], seconds, 1e-6 * total);
  EXPECT_EQ(sum_by(simulation, "http_server_active_requests", "")[""], 0);

  // Admission's refusals, by priority: the keys' (normal).
  const std::size_t refused = stats.totals().causes[static_cast<std::size_t>(Cause::shed)] +
                              stats.totals().causes[static_cast<std::size_t>(Cause::queue_timeout)];
  EXPECT_EQ(sum_by(simulation, "sluice_shed_total", ".*", "priority"),
            (std::map<std::string, double>{{"normal", static_cast<double>(refused)}}));
}

// Requests of exactly 0.6 s (0.3 s to the first token, 30 more at 10 ms) at evenly spaced
// arrivals, one at a time: each lands in the bucket of 0.75 s, none in that of 0.5 s, and their
// sum is 0.6 s each.
TEST(SimulatedHttpMetricsTest, DurationsAreTheExchangesOnTheVirtualClockInTheServersBuckets) {
  std::string yaml = minimal_scenario("  rate: 1\n  arrivals: uniform\n");
  yaml.replace(yaml.find("{dist: constant, value: 50}"), 27, "{dist: constant, value: 31}");
  yaml.replace(yaml.find("{dist: constant, value: 100ms}"), 30, "{dist: constant, value: 300ms}");
  Simulation simulation(scenario_of(yaml));
  const RunStats& stats = simulation.run();
  const double n = static_cast<double>(stats.totals().completed);
  ASSERT_EQ(stats.totals().completed, stats.totals().finished);
  ASSERT_GT(n, 50);
  const std::string ok = "method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"";
  const std::string bucket = std::string(kSeries) + "_bucket";
  EXPECT_EQ(sum_by(simulation, bucket, ok + ",le=\"0.5\"")[""], 0);
  EXPECT_EQ(sum_by(simulation, bucket, ok + ",le=\"0.75\"")[""], n);
  EXPECT_EQ(sum_by(simulation, bucket, ok + ",le=\"600\"")[""], n);  // the server's last bound
  EXPECT_EQ(sum_by(simulation, bucket, ok + ",le=\"\\+Inf\"")[""], n);
  EXPECT_NEAR(sum_by(simulation, std::string(kSeries) + "_sum", ok)[""], 0.6 * n, 1e-6);
}

// A serverless platform's throttling never reaches a gateway instance: no HTTP series counts it.
TEST(SimulatedHttpMetricsTest, RequestsThePlatformRefusedAreNotInTheReplicasSeries) {
  Simulation simulation(
      scenario_of(minimal_scenario("  rate: 20\n  arrivals: uniform\n",
                                   "platform: {kind: serverless, cold_start: {dist: constant, "
                                   "value: 1s}, max_instances: 2}\n")));
  const RunStats& stats = simulation.run();
  const std::uint64_t throttled = stats.totals().causes[static_cast<std::size_t>(Cause::throttled)];
  ASSERT_GT(throttled, 0u);
  const auto counted =
      sum_by(simulation, std::string(kSeries) + "_count",
             "method=\"POST\",route=\"/v1/chat/completions\",status=\"\\d+\"", "status");
  EXPECT_EQ(counted.size(), 1u);
  EXPECT_EQ(counted.at("200"), static_cast<double>(stats.totals().finished - throttled));
}

}  // namespace
}  // namespace sluice::sim
