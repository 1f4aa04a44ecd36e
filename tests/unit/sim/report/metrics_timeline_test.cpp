#include "sim/report/metrics_timeline.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "sim/model/simulation.hpp"
#include "unit/sim/sim_support.hpp"

namespace sluice::sim {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("sluice_timeline_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of the sample of `series` (name and labels, exactly) at `unix_seconds`, or "".
std::string value_at(const std::string& text, const std::string& series,
                     const std::string& unix_seconds) {
  const std::string tail = " " + unix_seconds + "\n";
  for (std::size_t at = text.find(series + " "); at != std::string::npos;
       at = text.find(series + " ", at + 1)) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at + 1);
    if (line.ends_with(tail))
      return line.substr(series.size() + 1, line.size() - series.size() - 1 - tail.size());
  }
  return "";
}

TEST(MetricsTimelineTest, WritesVirtualTimeFromTheStartInstantAndReplacesTheFileWhole) {
  const std::string path = temp_path("whole.om");
  ops::Registry registry;
  ops::GaugeFamily& g = registry.gauge("g", "G.", {});
  MetricsTimeline timeline({.path = path, .start_unix_seconds = 1000});
  timeline.add_replica(replica_instance(0), registry);
  ASSERT_TRUE(timeline.snapshot(0).ok());
  g.set({}, 2);
  ASSERT_TRUE(timeline.snapshot(15.5).ok());
  ASSERT_TRUE(timeline.finish().ok());
  EXPECT_EQ(read_file(path),
            "# TYPE g gauge\n# HELP g G.\n"
            "g{job=\"sluice\",instance=\"replica-0\"} 0 1000\n"
            "g{job=\"sluice\",instance=\"replica-0\"} 2 1015.5\n"
            "# TYPE up gauge\n# HELP up 1 when the target's last scrape succeeded.\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 1000\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 1015.5\n"
            "# EOF\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path);
}

// A replica that stopped fails the next scrape (up 0, none of its series), then is no target.
TEST(MetricsTimelineTest, ReplicasJoinAndLeaveBetweenSnapshots) {
  const std::string path = temp_path("scale.om");
  ops::Registry first, second;
  first.gauge("g", "G.", {}).set({}, 7);
  MetricsTimeline timeline({.path = path, .start_unix_seconds = 0});
  timeline.add_replica("replica-0", first);
  ASSERT_TRUE(timeline.snapshot(15).ok());
  timeline.add_replica("replica-1", second);
  ASSERT_TRUE(timeline.snapshot(30).ok());
  timeline.remove_replica("replica-0");
  ASSERT_TRUE(timeline.snapshot(45).ok());
  ASSERT_TRUE(timeline.snapshot(60).ok());
  ASSERT_TRUE(timeline.finish().ok());
  EXPECT_EQ(read_file(path),
            "# TYPE g gauge\n# HELP g G.\n"
            "g{job=\"sluice\",instance=\"replica-0\"} 7 15\n"
            "g{job=\"sluice\",instance=\"replica-0\"} 7 30\n"
            "# TYPE up gauge\n# HELP up 1 when the target's last scrape succeeded.\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 15\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 30\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 0 45\n"
            "up{job=\"sluice\",instance=\"replica-1\"} 1 30\n"
            "up{job=\"sluice\",instance=\"replica-1\"} 1 45\n"
            "up{job=\"sluice\",instance=\"replica-1\"} 1 60\n"
            "# EOF\n");
  std::filesystem::remove(path);
}

// A replica whose last scrape failed already (it was draining) leaves at once when it stops.
TEST(MetricsTimelineTest, AReplicaWhoseScrapeFailedAlreadyLeavesWithoutAnotherFailure) {
  const std::string path = temp_path("drained.om");
  ops::Registry registry;
  MetricsTimeline timeline({.path = path, .start_unix_seconds = 0});
  timeline.add_replica("replica-0", registry);
  timeline.add_replica("replica-1", registry);
  ASSERT_TRUE(timeline.snapshot(15).ok());
  timeline.set_reachable("replica-0", false);
  ASSERT_TRUE(timeline.snapshot(30).ok());
  timeline.remove_replica("replica-0", false);
  ASSERT_TRUE(timeline.snapshot(45).ok());
  ASSERT_TRUE(timeline.finish().ok());
  EXPECT_EQ(read_file(path),
            "# TYPE up gauge\n# HELP up 1 when the target's last scrape succeeded.\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 15\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 0 30\n"
            "up{job=\"sluice\",instance=\"replica-1\"} 1 15\n"
            "up{job=\"sluice\",instance=\"replica-1\"} 1 30\n"
            "up{job=\"sluice\",instance=\"replica-1\"} 1 45\n"
            "# EOF\n");
  std::filesystem::remove(path);
}

// A replica cut off (its region down) fails its scrapes meanwhile, and its series resume after.
TEST(MetricsTimelineTest, AnUnreachableReplicaFailsItsScrapesUntilItIsBack) {
  const std::string path = temp_path("unreachable.om");
  ops::Registry registry;
  ops::GaugeFamily& g = registry.gauge("g", "G.", {});
  MetricsTimeline timeline({.path = path, .start_unix_seconds = 0});
  timeline.add_replica("replica-0", registry);
  g.set({}, 1);
  ASSERT_TRUE(timeline.snapshot(15).ok());
  timeline.set_reachable("replica-0", false);
  g.set({}, 2);
  ASSERT_TRUE(timeline.snapshot(30).ok());
  ASSERT_TRUE(timeline.snapshot(45).ok());
  timeline.set_reachable("replica-0", true);
  g.set({}, 3);
  ASSERT_TRUE(timeline.snapshot(60).ok());
  ASSERT_TRUE(timeline.finish().ok());
  EXPECT_EQ(read_file(path),
            "# TYPE g gauge\n# HELP g G.\n"
            "g{job=\"sluice\",instance=\"replica-0\"} 1 15\n"
            "g{job=\"sluice\",instance=\"replica-0\"} 3 60\n"
            "# TYPE up gauge\n# HELP up 1 when the target's last scrape succeeded.\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 15\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 0 30\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 0 45\n"
            "up{job=\"sluice\",instance=\"replica-0\"} 1 60\n"
            "# EOF\n");
  std::filesystem::remove(path);
}

TEST(MetricsTimelineTest, AFailedRunWritesNoFile) {
  const std::string path = temp_path("failed.om");
  ops::Registry registry;
  MetricsTimeline timeline({.path = path, .format = {.max_bytes = 100}});
  timeline.add_replica("replica-0", registry);
  Status status;
  for (int i = 0; i < 10 && status.ok(); ++i) status = timeline.snapshot(i * 15.0);
  ASSERT_FALSE(status.ok());
  Status finished = timeline.finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().message, status.error().message);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(MetricsTimelineTest, AnUnwritablePathIsAnError) {
  ops::Registry registry;
  MetricsTimeline timeline({.path = "/nonexistent-directory/metrics.om"});
  ASSERT_TRUE(timeline.snapshot(0).ok());
  Status finished = timeline.finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.error().message.find("/nonexistent-directory/metrics.om"), std::string::npos);
}

// A provider outage simulated end to end: two replicas of the gateway's own objects on the
// engine's virtual clock, alias chat on openai with a fallback alias behind it, openai answering
// every attempt with a 503 from minute 20 to minute 40, scraped every 15 s of virtual time.
std::string outage_scenario() {
  return "duration: 1h\n"
         "seed: 4\n"
         "traffic:\n"
         "  rate: 2\n"
         "  arrivals: uniform\n"
         "  mix:\n"
         "    - {model: chat, prompt_tokens: {dist: constant, value: 120},\n"
         "       completion_tokens: {dist: constant, value: 80}}\n"
         "providers:\n"
         "  - provider: openai\n"
         "    ttft: {dist: constant, value: 200ms}\n"
         "    per_token: {dist: constant, value: 5ms}\n"
         "    outages: [{from: 20m, to: 40m, fail_with: 5xx}]\n"
         "  - provider: anthropic\n"
         "    ttft: {dist: constant, value: 200ms}\n"
         "    per_token: {dist: constant, value: 5ms}\n"
         "replicas: {count: 2}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: openai, type: openai, base_url: https://openai.example/v1}\n"
         "    - {name: anthropic, type: openai, base_url: https://anthropic.example/v1}\n"
         "  models:\n"
         "    - {alias: chat, deployments: [{provider: openai, model: gpt-4o-mini}],\n"
         "       fallbacks: [chat-fallback]}\n"
         "    - {alias: chat-fallback, deployments: [{provider: anthropic, model: claude-haiku}]}\n"
         "  circuit_breaker: {failure_threshold: 5, cooldown: 10s}\n";
}

std::string simulate_metrics(const std::string& path, MetricsTimeline::Options options = {}) {
  options.path = path;
  Simulation simulation(testing::scenario_of(outage_scenario()));
  MetricsTimeline timeline(std::move(options));
  simulation.scrape_into(timeline, MetricsTimeline::kDefaultScrapeIntervalSeconds);
  simulation.run();
  const Status finished = timeline.finish();
  if (!finished.ok()) return "error: " + finished.error().message;
  std::string text = read_file(path);
  std::filesystem::remove(path);
  return text;
}

// The gateway's real retry, fallback and breaker policy, seen through its real metrics, on the
// virtual clock.
TEST(MetricsTimelineTest, SimulatedProviderOutageShowsInTheGatewaysOwnMetrics) {
  const std::string text = simulate_metrics(temp_path("outage.om"));
  const auto at = [](double virtual_seconds) {
    return std::to_string(
        static_cast<long long>(MetricsTimeline::kDefaultStartUnixSeconds + virtual_seconds));
  };
  // A scrape every 15 s from 0 to the hour's end, and one after the last request ended.
  EXPECT_FALSE(value_at(text, "up{job=\"sluice\",instance=\"replica-1\"}", at(3600)).empty());
  EXPECT_FALSE(value_at(text, "up{job=\"sluice\",instance=\"replica-1\"}", at(3615)).empty());
  EXPECT_TRUE(value_at(text, "up{job=\"sluice\",instance=\"replica-1\"}", at(3630)).empty());
  for (const char* instance : {"replica-0", "replica-1"}) {
    const std::string target = "job=\"sluice\",instance=\"" + std::string(instance) + "\"";
    const std::string failures = "sluice_upstream_requests_total{" + target +
                                 ",deployment=\"openai/gpt-4o-mini\",outcome=\"upstream_5xx\"}";
    const std::string circuit =
        "sluice_circuit_state{" + target + ",deployment=\"openai/gpt-4o-mini\"}";
    const std::string fallback_ok = "sluice_upstream_requests_total{" + target +
                                    ",deployment=\"anthropic/claude-haiku\",outcome=\"success\"}";
    // Before the outage: closed, no failure, nothing sent to the fallback.
    EXPECT_EQ(value_at(text, circuit, at(1185)), "0") << instance;
    EXPECT_EQ(value_at(text, failures, at(1185)), "") << instance;
    EXPECT_EQ(value_at(text, fallback_ok, at(1185)), "") << instance;
    // During it: the breaker opened (2) after failure_threshold failures, and reads half-open (1)
    // on the virtual clock once the 10 s cooldown has passed, until the next probe fails; the
    // fallback answers.
    const std::string circuit_mid[] = {value_at(text, circuit, at(1800)),
                                       value_at(text, circuit, at(1815))};
    for (const std::string& state : circuit_mid) EXPECT_TRUE(state == "1" || state == "2") << state;
    const std::string failed_mid = value_at(text, failures, at(1800));
    const std::string failed_end = value_at(text, failures, at(2400));
    ASSERT_FALSE(failed_mid.empty()) << instance;
    EXPECT_GT(std::stod(failed_end), std::stod(failed_mid)) << instance;  // probes keep failing
    EXPECT_GT(std::stod(value_at(text, fallback_ok, at(2400))), 1000) << instance;
    // After it: a probe succeeded and closed the circuit; failures stopped counting.
    EXPECT_EQ(value_at(text, circuit, at(3600)), "0") << instance;
    EXPECT_EQ(value_at(text, failures, at(3600)), failed_end) << instance;
    EXPECT_EQ(value_at(text,
                       "sluice_circuit_transitions_total{" + target +
                           ",deployment=\"openai/gpt-4o-mini\",to=\"closed\"}",
                       at(3600)),
              "1")
        << instance;
  }
}

TEST(MetricsTimelineTest, TheSameSeedWritesTheSameBytes) {
  const std::string first = simulate_metrics(temp_path("same1.om"));
  EXPECT_EQ(first, simulate_metrics(temp_path("same2.om")));
  EXPECT_TRUE(first.ends_with("# EOF\n"));
}

TEST(MetricsTimelineTest, TheByteBoundStopsTheRunAndNamesTheFlagThatRaisesIt) {
  const std::string path = temp_path("bound.om");
  MetricsTimeline::Options options;
  options.format.max_bytes = 100'000;
  const std::string result = simulate_metrics(path, options);
  ASSERT_TRUE(result.starts_with("error: ")) << result.substr(0, 200);
  EXPECT_NE(result.find("--metrics-max-bytes"), std::string::npos) << result;
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace sluice::sim
