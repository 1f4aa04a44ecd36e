// `sluice simulate` as users run it: the summary, the JSON report (byte for byte the same on a
// second run), --help, and a bad scenario refused with key-path errors and exit status 2.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kExample =
    std::string(SLUICE_SOURCE_DIR) + "/examples/simulate/provider-outage.yaml";

TEST(SimulateCliTest, RunsTheExampleAndWritesTheSameReportTwice) {
  const std::string dir = make_temp_dir();
  const std::string first = dir + "/first.json";
  const std::string second = dir + "/second.json";
  auto run = run_sluice({"simulate", kExample, "--duration", "10m", "--json", first});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "10m simulated in")) << run.output;
  EXPECT_TRUE(contains(run.output, "requests   ")) << run.output;
  EXPECT_TRUE(contains(run.output, "cost       $")) << run.output;
  ASSERT_EQ(run_sluice({"simulate", kExample, "--duration", "10m", "--json", second}).exit_code, 0);
  const std::string report = read_file(first);
  EXPECT_TRUE(contains(report, "\"duration_s\": 600.000000")) << report.substr(0, 400);
  EXPECT_EQ(read_file(second), report);
  auto reseeded =
      run_sluice({"simulate", kExample, "--duration", "10m", "--seed", "2", "--json", "-"});
  ASSERT_EQ(reseeded.exit_code, 0) << reseeded.output;
  EXPECT_TRUE(contains(reseeded.output, "\"seed\": 2,"));
  EXPECT_FALSE(contains(reseeded.output, report)) << "another seed, the same report";
}

TEST(SimulateCliTest, ABadScenarioExits2NamingEachKey) {
  TempFile scenario(
      "duration: 1h\n"
      "traffic:\n"
      "  phases: [{duration: 10m, rate: -5}]\n"
      "  mix: [{model: chat, prompt_tokens: {dist: constant, value: 1},\n"
      "         completion_tokens: {dist: constant, valeu: 1}}]\n"
      "providers: [{provider: primary, ttft: {dist: constant, value: 1s},\n"
      "             per_token: {dist: constant, value: 10ms}}]\n"
      "gateway:\n"
      "  providers: [{name: primary, type: mock}]\n"
      "  models: [{alias: chat, deployments: [{provider: primary, model: m}]}]\n");
  auto r = run_sluice({"simulate", scenario.path()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "traffic.phases.0.rate: must not be negative")) << r.output;
  EXPECT_TRUE(contains(r.output, "traffic.mix.0.completion_tokens.valeu")) << r.output;
  EXPECT_TRUE(contains(r.output, "did you mean traffic.mix.0.completion_tokens.value?"))
      << r.output;
  auto flag = run_sluice({"simulate", scenario.path(), "--seeds", "3"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_TRUE(contains(flag.output, "unknown flag --seeds")) << flag.output;
}

TEST(SimulateCliTest, HelpDescribesTheFlags) {
  auto r = run_sluice({"simulate", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"usage: sluice simulate", "--seed", "--duration", "--json"})
    EXPECT_TRUE(contains(r.output, flag)) << flag << "\n" << r.output;
}

}  // namespace
}  // namespace sluice::testing
