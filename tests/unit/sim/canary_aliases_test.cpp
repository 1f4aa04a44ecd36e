// Several canaried aliases in one run: the report counts each alias' versions on its own (the
// JSON keyed by alias, the summary, the OpenMetrics series labelled by alias), so that one
// alias' rollback is not hidden by another's candidate still serving.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "sim/report/canary_report.hpp"
#include "sim/report/report_json.hpp"
#include "sim/report/report_summary.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::scenario_of;
using testing::two_canaries_scenario;

// Each request's version, counted from the requests themselves by the model asked for (no
// budget downgrades here: that is the alias the gateway routed).
struct Observed {
  std::map<std::string, CanaryCounts> totals;
  std::vector<std::map<std::string, CanaryCounts>> windows;
};

void observe(Simulation& simulation, Observed& seen, double window) {
  simulation.on_request([&seen, window](const RequestRecord& r) {
    if (r.canary.empty()) return;
    const auto w = static_cast<std::size_t>(std::floor(r.end / window));
    if (w >= seen.windows.size()) seen.windows.resize(w + 1);
    const bool candidate = r.canary == "candidate";
    const bool failed = r.cause != Cause::none;
    seen.totals[r.model].add(candidate, failed);
    seen.windows[w][r.model].add(candidate, failed);
  });
}

void expect_counts(const CanaryCounts& got, const CanaryCounts& want, const std::string& where) {
  EXPECT_EQ(got.baseline, want.baseline) << where;
  EXPECT_EQ(got.candidate, want.candidate) << where;
  EXPECT_EQ(got.baseline_failed, want.baseline_failed) << where;
  EXPECT_EQ(got.candidate_failed, want.candidate_failed) << where;
}

std::uint64_t member(const boost::json::value& v, const char* key) {
  return v.as_object().at(key).to_number<std::uint64_t>();
}

TEST(CanaryAliasesTest, EachAliasIsCountedOnItsOwn) {
  const ScenarioConfig scenario = scenario_of(two_canaries_scenario());
  Simulation simulation(scenario);
  Observed seen;
  observe(simulation, seen, scenario.window.count());
  const RunStats& stats = simulation.run();

  // chat's candidate is rolled back on both replicas, search's on none.
  const std::vector<CanaryRun> runs = collect_canaries(simulation);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].alias, "chat");
  EXPECT_EQ(runs[1].alias, "search");
  EXPECT_EQ(runs[0].rollbacks.size(), static_cast<std::size_t>(scenario.replicas.count));
  EXPECT_TRUE(runs[1].rollbacks.empty());

  // Per alias, the run's counts and each window's are those of the requests themselves; the
  // aliases add up to the all-alias counts.
  for (const char* alias : {"chat", "search"}) {
    expect_counts(stats.totals().canary_of(alias), seen.totals[alias], alias);
    for (std::size_t w = 0; w < stats.windows().size(); ++w)
      expect_counts(stats.windows()[w].canary_of(alias),
                    w < seen.windows.size() ? seen.windows[w][alias] : CanaryCounts{},
                    std::string(alias) + " window " + std::to_string(w));
  }
  const CanaryCounts& chat = stats.totals().canary_of("chat");
  const CanaryCounts& search = stats.totals().canary_of("search");
  EXPECT_EQ(chat.requests() + search.requests(), stats.totals().canary.requests());
  EXPECT_EQ(chat.candidate_failed + search.candidate_failed,
            stats.totals().canary.candidate_failed);

  // Only chat's candidate failed; search's candidate took its weight of search's requests over
  // the run (about 12,000 requests: sd of the share 0.004; 4 sd).
  EXPECT_GT(chat.candidate_failed, 0u);
  EXPECT_EQ(chat.baseline_failed, 0u);
  EXPECT_EQ(search.candidate_failed + search.baseline_failed, 0u);
  const double search_weight = scenario.gateway.models.at(2).canary.weight;
  EXPECT_NEAR(static_cast<double>(search.candidate) / static_cast<double>(search.requests()),
              search_weight, 0.017);

  // After chat's last rollback (and a window for requests then in flight), chat's candidate
  // serves nothing while search's still does: the sum over aliases would not show it.
  const auto quiet_from =
      static_cast<std::size_t>(std::ceil(*runs[0].last_rollback() / stats.window())) + 1;
  ASSERT_LT(quiet_from + 5, stats.windows().size());
  for (std::size_t w = quiet_from; w + 1 < stats.windows().size(); ++w) {
    EXPECT_EQ(stats.windows()[w].canary_of("chat").candidate, 0u) << "window " << w;
    EXPECT_GT(stats.windows()[w].canary_of("chat").baseline, 0u) << "window " << w;
    EXPECT_GT(stats.windows()[w].canary_of("search").candidate, 0u) << "window " << w;
    EXPECT_GT(stats.windows()[w].canary.candidate, 0u) << "window " << w;
  }

  // The JSON report: `canary` keyed by alias in the gateway section's order, in the totals and
  // each window; each canary's own cost; canary_cost their sum.
  const std::string json = render_report_json(simulation, "two.yaml");
  EXPECT_LT(json.find("\"chat\": {"), json.find("\"search\": {"));
  const boost::json::object report = boost::json::parse(json).as_object();
  const auto& totals = report.at("totals").at("canary").as_object();
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(member(totals.at("chat"), "candidate"), chat.candidate);
  EXPECT_EQ(member(totals.at("chat"), "candidate_failed"), chat.candidate_failed);
  EXPECT_EQ(member(totals.at("search"), "candidate"), search.candidate);
  EXPECT_EQ(member(totals.at("search"), "baseline"), search.baseline);
  const auto& windows = report.at("windows").as_array();
  ASSERT_EQ(windows.size(), stats.windows().size());
  for (std::size_t w = 0; w < windows.size(); ++w)
    for (const char* alias : {"chat", "search"}) {
      const auto& c = windows[w].at("canary").at(alias);
      EXPECT_EQ(member(c, "candidate"), stats.windows()[w].canary_of(alias).candidate) << w;
      EXPECT_EQ(member(c, "baseline"), stats.windows()[w].canary_of(alias).baseline) << w;
    }
  const auto& canaries = report.at("canaries").as_array();
  ASSERT_EQ(canaries.size(), 2u);
  EXPECT_EQ(canaries[0].at("rollbacks").as_array().size(), runs[0].rollbacks.size());
  EXPECT_TRUE(canaries[1].at("rollbacks").as_array().empty());
  EXPECT_EQ(member(canaries[0].at("cost"), "candidate_failed"), chat.candidate_failed);
  EXPECT_EQ(member(canaries[1].at("cost"), "candidate_failed"), 0u);
  // chat's baseline never failed: every candidate failure is an excess one.
  EXPECT_NEAR(canaries[0].at("cost").at("excess_failed").to_number<double>(),
              static_cast<double>(chat.candidate_failed), 1e-6);
  EXPECT_NEAR(report.at("canary_cost").at("excess_failed").to_number<double>(),
              static_cast<double>(chat.candidate_failed), 1e-6);

  // The summary: each alias with its own counts.
  const std::string summary = render_summary(simulation, "two.yaml", 0);
  const auto served = [](const char* alias, const char* candidate, double weight,
                         const CanaryCounts& c) {
    std::ostringstream line;
    line << alias << " -> " << candidate << " at weight " << weight << ": candidate served "
         << c.candidate << " of " << c.requests();
    return line.str();
  };
  EXPECT_NE(summary.find(served("chat", "chat-v2", 0.2, chat)), std::string::npos) << summary;
  EXPECT_NE(summary.find(served("search", "search-v2", search_weight, search)), std::string::npos)
      << summary;
}

// The series of `family` at `instance` with label alias=`alias` (and `more`) in an OpenMetrics
// text: its last sample's value, or -1 when there is none.
double last_sample(const std::string& text, const std::string& family, const std::string& alias,
                   const std::string& more, const std::string& instance) {
  double value = -1;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(family + "{")) continue;
    if (line.find("alias=\"" + alias + "\"") == std::string::npos) continue;
    if (!more.empty() && line.find(more) == std::string::npos) continue;
    if (line.find("instance=\"" + instance + "\"") == std::string::npos) continue;
    const auto close = line.rfind('}');
    value = std::stod(line.substr(close + 2, line.find(' ', close + 2) - close - 2));
  }
  return value;
}

TEST(CanaryAliasesTest, TheOpenMetricsSeriesCarryTheAlias) {
  const ScenarioConfig scenario = scenario_of(two_canaries_scenario());
  Simulation simulation(scenario);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sluice-canary-aliases-" + std::to_string(::getpid()) + ".om"))
                               .string();
  MetricsTimeline timeline({.path = path});
  simulation.scrape_into(timeline, 15);
  Observed seen;
  observe(simulation, seen, scenario.window.count());
  simulation.run();
  ASSERT_TRUE(timeline.finish().ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  const std::string om = text.str();

  // Per alias and version, the replicas' final counts add up to the requests of that alias.
  for (const char* alias : {"chat", "search"}) {
    double candidate = 0, baseline = 0;
    for (std::size_t i = 0; i < simulation.replica_count(); ++i) {
      const std::string instance = replica_instance(i);
      candidate += std::max(0.0, last_sample(om, "sluice_canary_requests_total", alias,
                                             "version=\"candidate\"", instance));
      baseline += std::max(0.0, last_sample(om, "sluice_canary_requests_total", alias,
                                            "version=\"baseline\"", instance));
    }
    EXPECT_EQ(candidate, static_cast<double>(seen.totals[alias].candidate)) << alias;
    EXPECT_EQ(baseline, static_cast<double>(seen.totals[alias].baseline)) << alias;
  }
  // chat's weight is 0 on every replica at the end, search's its configured weight; only chat
  // has rollbacks.
  for (std::size_t i = 0; i < simulation.replica_count(); ++i) {
    const std::string instance = replica_instance(i);
    EXPECT_EQ(last_sample(om, "sluice_canary_weight", "chat", "", instance), 0) << instance;
    EXPECT_EQ(last_sample(om, "sluice_canary_weight", "search", "", instance),
              scenario.gateway.models.at(2).canary.weight)
        << instance;
    EXPECT_EQ(
        last_sample(om, "sluice_canary_rollbacks_total", "chat", "reason=\"error_rate\"", instance),
        1)
        << instance;
    EXPECT_LE(last_sample(om, "sluice_canary_rollbacks_total", "search", "", instance), 0)
        << instance;
  }
}

}  // namespace
}  // namespace sluice::sim
