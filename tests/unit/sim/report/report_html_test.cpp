#include "sim/report/report_html.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "sim/report/canary_report.hpp"
#include "unit/sim/sim_support.hpp"

namespace sluice::sim {
namespace {

// Ten minutes on provider primary, which answers 503 from minute 3 to minute 5; windows of 60 s.
std::string outage_yaml() {
  return testing::minimal_scenario("  rate: 5\n") +
         "  prices:\n"
         "    - {model: big, input_per_million: 2.5, output_per_million: 10}\n"
         "window: 60s\n";
}

std::string page_of(const std::string& yaml, const std::string& duration = "10m") {
  ScenarioConfig scenario = testing::scenario_of(yaml, {.duration = duration});
  scenario.providers.at(0).outages.push_back(
      {std::chrono::duration<double>(180), std::chrono::duration<double>(300), "5xx"});
  Simulation simulation(std::move(scenario));
  simulation.run();
  return render_report_html(simulation, "outage <test>.yaml");
}

// Every element opened is closed, in order (void elements and `<x/>` excepted): the page parses
// the same in any browser, and as XML inside each <svg>.
std::string unbalanced(const std::string& html) {
  static const std::regex tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>)");
  const std::vector<std::string> void_elements = {"meta", "br", "img", "input", "link", "hr"};
  std::vector<std::string> open;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator();
       ++it) {
    const std::string name = (*it)[2];
    if ((*it)[3] == "/" ||
        std::find(void_elements.begin(), void_elements.end(), name) != void_elements.end())
      continue;
    if ((*it)[1] == "") {
      open.push_back(name);
    } else {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
      open.pop_back();
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

TEST(ReportHtmlTest, OneWellFormedSelfContainedPageWithEverySeries) {
  const std::string html = page_of(outage_yaml());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">")) << html.substr(0, 100);
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_EQ(unbalanced(html), "");
  // Nothing fetched: no script, stylesheet or image from anywhere; the only URL is SVG's
  // namespace.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(
      std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "").find("http"),
      std::string::npos);
  // The scenario's name is escaped.
  EXPECT_NE(html.find("outage &lt;test&gt;.yaml"), std::string::npos);
  EXPECT_EQ(html.find("<test>"), std::string::npos);
  // The headline table and each chart's series, one point per window: the ten minutes' and the
  // windows in which the last requests ended.
  const std::size_t windows = 10 + 1;
  EXPECT_NE(html.find("<table id=\"headline\">"), std::string::npos);
  for (const char* series : {"latency_p50", "latency_p99", "throughput", "arrivals",
                             "errors_upstream_5xx", "cost_per_hour"}) {
    const std::regex polyline("<polyline data-series=\"" + std::string(series) +
                              "\"[^>]* points=\"([^\"]*)\"");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(html, m, polyline)) << series;
    const std::string points = m[1];
    EXPECT_EQ(static_cast<std::size_t>(std::count(points.begin(), points.end(), ',')), windows)
        << series << ": " << points;
  }
  // Only causes that happened are drawn.
  EXPECT_EQ(html.find("errors_shed"), std::string::npos);
}

TEST(ReportHtmlTest, TheSameSeedGivesTheSameBytes) {
  EXPECT_EQ(page_of(outage_yaml()), page_of(outage_yaml()));
}

TEST(ReportHtmlTest, ARunWithoutErrorsSaysSo) {
  const std::string html = page_of(testing::minimal_scenario("  rate: 5\n"), "2m");
  EXPECT_EQ(unbalanced(html), "");
  // The outage is past the run's end.
  EXPECT_NE(html.find("No request failed."), std::string::npos);
}

// The points of polyline `series`; empty when the page has none.
std::string points_of(const std::string& html, const std::string& series) {
  std::smatch m;
  if (!std::regex_search(
          html, m, std::regex("<polyline data-series=\"" + series + "\"[^>]* points=\"([^\"]*)\"")))
    return "";
  return m[1];
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(ReportHtmlTest, ACanaryGetsItsChartsWithItsRollbacksMarked) {
  Simulation simulation(testing::scenario_of(testing::two_canaries_scenario()));
  const RunStats& stats = simulation.run();
  const std::string html = render_report_html(simulation, "two.yaml");
  EXPECT_EQ(unbalanced(html), "");
  EXPECT_NE(html.find("<section id=\"canaries\">"), std::string::npos);
  // Per alias: the split (configured weight, the candidate's share), each version's requests
  // per second and error rate, one point per window.
  const std::size_t windows = stats.windows().size();
  for (const std::string alias : {"chat", "search"})
    for (const std::string series :
         {"canary_weight_", "canary_share_", "canary_baseline_rps_", "canary_candidate_rps_",
          "canary_baseline_error_rate_", "canary_candidate_error_rate_"}) {
      const std::string points = points_of(html, series + alias);
      EXPECT_EQ(static_cast<std::size_t>(std::count(points.begin(), points.end(), ',')), windows)
          << series << alias;
    }
  // chat's rollbacks (one per replica) on each of its three charts; none on search's.
  const std::vector<CanaryRun> runs = collect_canaries(simulation);
  const std::size_t chat_rollbacks = runs.at(0).rollbacks.size();
  ASSERT_EQ(chat_rollbacks, 2u);
  EXPECT_EQ(count_of(html, "data-marker=\"rollback\""), 3 * chat_rollbacks);
  const auto search_charts = html.find("<section id=\"canary-split-search\">");
  ASSERT_NE(search_charts, std::string::npos);
  EXPECT_EQ(html.find("data-marker=\"rollback\"", search_charts), std::string::npos);
  for (const CanaryRollbackEvent& e : runs[0].rollbacks)
    EXPECT_NE(html.find("replica " + std::to_string(e.replica) + " rolled back at"),
              std::string::npos);
  // The same seed, the same bytes.
  Simulation again(testing::scenario_of(testing::two_canaries_scenario()));
  again.run();
  EXPECT_EQ(render_report_html(again, "two.yaml"), html);
}

TEST(ReportHtmlTest, NoCanaryNoCanarySection) {
  const std::string html = page_of(testing::minimal_scenario("  rate: 5\n"), "2m");
  EXPECT_EQ(html.find("canar"), std::string::npos);
}

}  // namespace
}  // namespace sluice::sim
