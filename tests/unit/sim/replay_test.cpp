// traffic.replay: a Sluice access log's chat completions as the scenario's traffic.
#include <gtest/gtest.h>

#include <fstream>

#include "sim/scenario/access_log_replay.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using namespace testing;

std::string write_log(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

// Lines as the access log writes them (log.format: json), ending out of arrival order, with an
// embeddings request and a line that is not JSON among them.
const char* kLog =
    R"({"ts":"2026-01-01T00:00:02.000Z","level":"info","msg":"request","request_id":"a","method":"POST","route":"/v1/chat/completions","path":"/v1/chat/completions","status":200,"duration_ms":1500,"model":"chat","deployment":"primary/big","attempts":1,"outcome":"success","prompt_tokens":100,"completion_tokens":20,"cost_usd":0.001,"ttft_ms":300})"
    "\n"
    R"({"ts":"2026-01-01T00:00:01.000Z","level":"info","msg":"request","route":"/v1/chat/completions","status":503,"duration_ms":1000,"model":"chat","prompt_tokens":10,"completion_tokens":0})"
    "\n"
    R"({"ts":"2026-01-01T00:00:03.000Z","level":"info","msg":"request","route":"/v1/embeddings","status":200,"duration_ms":10,"model":"embed"})"
    "\n"
    "2026-01-01T00:00:04.000Z INFO listening port=8080\n"
    R"({"ts":"2026-01-01T00:00:05.250Z","level":"info","msg":"request","route":"/v1/chat/completions","status":200,"duration_ms":250,"model":"chat","prompt_tokens":7,"completion_tokens":3})"
    "\n";

std::string replay_scenario(const std::string& path, const std::string& replay_extra = "") {
  std::string yaml = minimal_scenario("  replay: {file: " + path + replay_extra + "}\n");
  // A replay has no mix: drop minimal_scenario's.
  const auto mix = yaml.find("  mix:\n");
  yaml.erase(mix, yaml.find("providers:") - mix);
  yaml.erase(0, yaml.find("seed:"));  // and no duration: the log's span
  return yaml;
}

TEST(ReplayTest, LogTimesAreReadToTheMillisecond) {
  EXPECT_EQ(parse_log_time("1970-01-01T00:00:01.500Z"), 1500.0);
  EXPECT_EQ(parse_log_time("2026-01-01T00:00:00Z"), 1767225600000.0);
  EXPECT_EQ(parse_log_time("2026-01-01T00:00:00.25Z"), 1767225600250.0);
  for (const char* bad : {"", "2026-01-01 00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00",
                          "2026-01-01T00:00:00.1x2Z"})
    EXPECT_EQ(parse_log_time(bad), std::nullopt) << bad;
}

TEST(ReplayTest, AnAccessLogReplaysItsChatCompletionsInArrivalOrder) {
  const std::string path = write_log("replay_test.log", kLog);
  ScenarioConfig scenario = scenario_of(replay_scenario(path, ", speed: 2"));
  ASSERT_TRUE(scenario.replayed);
  EXPECT_EQ(scenario.replayed->lines, 5u);
  ASSERT_EQ(scenario.replayed->requests.size(), 3u);
  // Arrivals 00:00:00.0, 00:00:00.5 and 00:00:05.0, at twice the speed; the duration ends after
  // the last.
  EXPECT_DOUBLE_EQ(scenario.duration.count(), 3);
  Simulation simulation(scenario);
  std::vector<RequestRecord> seen;
  simulation.on_request([&](const RequestRecord& r) { seen.push_back(r); });
  simulation.run();
  ASSERT_EQ(seen.size(), 3u);
  std::sort(seen.begin(), seen.end(),
            [](const RequestRecord& a, const RequestRecord& b) { return a.arrival < b.arrival; });
  EXPECT_DOUBLE_EQ(seen[0].arrival, 0);
  EXPECT_FALSE(seen[0].stream);
  EXPECT_EQ(seen[0].prompt_tokens, 10);
  EXPECT_EQ(seen[0].completion_tokens, 1);  // a failed request's answer: one token
  EXPECT_DOUBLE_EQ(seen[1].arrival, 0.25);
  EXPECT_TRUE(seen[1].stream);  // it had a ttft_ms
  EXPECT_EQ(seen[1].completion_tokens, 20);
  EXPECT_DOUBLE_EQ(seen[2].arrival, 2.5);
  EXPECT_EQ(seen[2].prompt_tokens, 7);
}

TEST(ReplayTest, LoadSpeedsTheReplayUp) {
  const std::string path = write_log("replay_load_test.log", kLog);
  ScenarioFlags doubled;
  doubled.load = "2";
  const ScenarioConfig scenario = scenario_of(replay_scenario(path, ", speed: 2"), doubled);
  ASSERT_TRUE(scenario.replayed);
  ASSERT_EQ(scenario.replayed->requests.size(), 3u);
  // At speed 2 x load 2 the arrivals 0, 0.5 and 5 s of the log come at 0, 0.125 and 1.25 s.
  EXPECT_DOUBLE_EQ(scenario.replayed->requests[1].arrival, 0.125);
  EXPECT_DOUBLE_EQ(scenario.replayed->requests[2].arrival, 1.25);
  EXPECT_DOUBLE_EQ(scenario.duration.count(), 2);
}

TEST(ReplayTest, AReplayIsCheckedLikeTheRestOfTheScenario) {
  const std::string path =
      write_log("replay_other_model.log", std::string(kLog) +
                                              R"({"ts":"2026-01-01T00:00:06.000Z","msg":"request",)"
                                              R"("route":"/v1/chat/completions","model":"gpt-9"})"
                                              "\n");
  auto errors = errors_of(replay_scenario(path));
  EXPECT_TRUE(has_error(errors, "traffic.replay.file: the log's requests name model 'gpt-9'"))
      << joined(errors);

  errors = errors_of(replay_scenario("/nonexistent/access.log"));
  EXPECT_TRUE(has_error(errors, "traffic.replay.file: cannot read the access log"))
      << joined(errors);

  errors = errors_of(replay_scenario(write_log("replay_empty.log", "not a log\n")));
  EXPECT_TRUE(has_error(errors, "traffic.replay.file: '")) << joined(errors);

  errors = errors_of(minimal_scenario("  rate: 5\n  replay: {file: x.log, speed: 0}\n"));
  EXPECT_TRUE(has_error(errors, "traffic.rate: is given together with traffic.replay"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "traffic.mix: is given together with traffic.replay"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "traffic.replay.speed: must be greater than 0")) << joined(errors);
}

}  // namespace
}  // namespace sluice::sim
