// Which simulated replicas the OpenMetrics timeline scrapes, and how each scrape went: `up 1`
// for a replica that answers, `up 0` (and none of its series) where Prometheus' scrape would
// fail: once after a replica stopped (scaled in and drained), and all along a region's outage.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "sim/report/metrics_timeline.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::minimal_scenario;
using testing::scenario_of;

// A run and its OpenMetrics text, its start at Unix time 0 so that a sample's time is virtual
// time.
struct Scraped {
  std::unique_ptr<Simulation> simulation;
  std::string text;
};

Scraped scraped(const std::string& yaml) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sluice_scrape_targets_" + std::to_string(::getpid()) + ".om"))
                               .string();
  Scraped run{std::make_unique<Simulation>(scenario_of(yaml)), ""};
  MetricsTimeline timeline({.path = path, .start_unix_seconds = 0});
  run.simulation->scrape_into(timeline, MetricsTimeline::kDefaultScrapeIntervalSeconds);
  run.simulation->run();
  EXPECT_TRUE(timeline.finish().ok());
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  run.text = text.str();
  return run;
}

// The samples of the series of `name` on target `instance`, by time: value (the last one of
// each instant, of a series without other labels than the target's).
std::map<long long, double> samples(const std::string& text, const std::string& name,
                                    const std::string& instance) {
  std::map<long long, double> out;
  const std::string prefix = name + "{job=\"sluice\",instance=\"" + instance + "\"} ";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(prefix)) continue;
    std::istringstream rest(line.substr(prefix.size()));
    double value = 0, at = 0;
    rest >> value >> at;
    out[std::llround(at)] = value;
  }
  return out;
}

// Instants at which target `instance` has any sample of a series other than `up`.
std::set<long long> instants_with_series(const std::string& text, const std::string& instance) {
  std::set<long long> out;
  const std::string target = "instance=\"" + instance + "\"";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#") || line.starts_with("up{") || line.find(target) == std::string::npos)
      continue;
    out.insert(std::llround(std::stod(line.substr(line.rfind(' ') + 1))));
  }
  return out;
}

// The load step (sim_support.hpp) under the HPA: 20 requests in flight (1 s each), 40 from 300 s
// to 600 s; four replicas, four more from about 345 s, scaled back in (the four newest drained)
// at the first sync after 900 s.
std::string load_step() {
  return testing::load_step("  autoscaling: {policy: hpa, metric: in_flight, target: 5}\n");
}

TEST(ScrapeTargetsTest, AReplicaScaledInFailsTheNextScrapeAndIsNotScrapedAfterIt) {
  const Scraped run = scraped(load_step());
  const std::string& text = run.text;
  const FleetStats& fleet = run.simulation->fleet().stats();
  ASSERT_EQ(fleet.scale_events.size(), 2u);
  const double scale_in = fleet.scale_events[1].at;
  ASSERT_EQ(fleet.scale_events[1].to, 4);
  ASSERT_EQ(run.simulation->replica_count(), 8u);
  // The HPA syncs every 15 s, at scrape instants. A drained replica holds requests of 1 s: it
  // is gone within 1 s of the scale-in. Its scrapes fail from when it stops taking requests
  // until it is gone; a scrape at the scale-in's instant finds it draining or still ready,
  // whichever ran first, and the next one finds it gone. Either way exactly one scrape fails,
  // the last, within 15 s of the scale-in, and its series end with the scrape before it.
  for (std::size_t i = 4; i < 8; ++i) {
    const std::string instance = replica_instance(i);
    const auto up = samples(text, "up", instance);
    ASSERT_FALSE(up.empty()) << instance;
    const long long failed = up.rbegin()->first;
    EXPECT_EQ(up.rbegin()->second, 0) << instance;
    EXPECT_GE(failed, scale_in) << instance;
    EXPECT_LE(failed, scale_in + 15) << instance;
    for (const auto& [at, value] : up) {
      if (at < failed) {
        EXPECT_EQ(value, 1) << instance << " at " << at;
      }
    }
    const auto series = instants_with_series(text, instance);
    ASSERT_FALSE(series.empty()) << instance;
    EXPECT_EQ(*series.rbegin(), failed - 15) << instance;
  }
  // The four that stay answer every scrape to the end.
  for (std::size_t i = 0; i < 4; ++i) {
    const auto up = samples(text, "up", replica_instance(i));
    EXPECT_EQ(up.size(), 1200 / 15 + 2u) << i;  // 0 to 1200 s, and once after the last request
    for (const auto& [at, value] : up) EXPECT_EQ(value, 1) << i << " at " << at;
  }
  EXPECT_EQ(text, scraped(load_step()).text) << "the same seed writes the same bytes";
}

TEST(ScrapeTargetsTest, AReplicaOfARegionThatIsDownFailsItsScrapesUntilTheRegionIsBack) {
  const std::string yaml = minimal_scenario(
      "  rate: 10\n",
      "regions:\n"
      "  - {name: east, replicas: 2, clients: 3}\n"
      "  - {name: west, replicas: 1, clients: 1, outages: [{from: 20s, to: 40s}]}\n"
      "region_latency:\n"
      "  - {from: east, to: west, one_way: {dist: constant, value: 30ms}}\n");
  const std::string text = scraped(yaml).text;
  // West's replica (replica-2): scrapes at 0, 15, 30, 45, 60 s and one after the last request.
  const auto up = samples(text, "up", "replica-2");
  ASSERT_GE(up.size(), 5u);
  EXPECT_EQ(up.at(0), 1);
  EXPECT_EQ(up.at(15), 1);
  EXPECT_EQ(up.at(30), 0);  // inside [20 s, 40 s)
  EXPECT_EQ(up.at(45), 1);
  EXPECT_EQ(up.at(60), 1);
  const auto series = instants_with_series(text, "replica-2");
  EXPECT_TRUE(series.contains(15));
  EXPECT_FALSE(series.contains(30));
  EXPECT_TRUE(series.contains(45));
  for (const char* east : {"replica-0", "replica-1"})
    for (const auto& [at, value] : samples(text, "up", east)) EXPECT_EQ(value, 1) << east;
}

}  // namespace
}  // namespace sluice::sim
