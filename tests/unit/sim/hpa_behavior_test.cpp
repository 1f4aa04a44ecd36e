// platform.autoscaling.behavior: Kubernetes' spec.behavior from the scenario, driving the real
// HPA controller on real replicas. Every expected scale event is derived here from the
// scenario's parameters and the controller's formulas, never read off a run.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "sim/report/report_json.hpp"
#include "unit/sim/sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::scenario_of;

// The load: evenly spaced arrivals, each request exactly 1 s (one token, a 1 s first token), so
// the requests in flight are the rate (give or take the one arriving or leaving at a sampling
// instant): kLow, then kHigh from kUpAt, then kLow again from kDownAt. Both steps fall on a sync
// of the controller (every 15 s), so every sync's samples see one load only.
constexpr double kLow = 4;
constexpr double kHigh = 78;
constexpr double kUpAt = 300;
constexpr double kDownAt = 600;
constexpr double kTarget = 5;  // requests in flight per replica
constexpr double kSync = 15;
constexpr int kMax = 20;

std::string load_steps(const std::string& behavior) {
  return "duration: 20m\n"
         "seed: 7\n"
         "window: 15s\n"
         "traffic:\n"
         "  arrivals: uniform\n"
         "  phases:\n"
         "    - {duration: 5m, rate: 4}\n"
         "    - {duration: 5m, rate: 78}\n"
         "    - {duration: 10m, rate: 4}\n"
         "  mix:\n"
         "    - model: chat\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 1}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 1s}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "platform:\n"
         "  kind: server\n"
         "  replicas: {min: 1, max: 20, initial: 1}\n"
         "  autoscaling:\n"
         "    policy: hpa\n"
         "    metric: in_flight\n"
         "    target: 5\n" +
         behavior;
}

// scaleUp: Percent 100 per 15 s (no Pods policy); scaleDown: a 60 s window, 1 pod per 30 s.
const std::string kBehavior =
    "    behavior:\n"
    "      scale_up:\n"
    "        policies: [{type: percent, value: 100, period: 15s}]\n"
    "      scale_down:\n"
    "        stabilization_window: 60s\n"
    "        policies: [{type: pods, value: 1, period: 30s}]\n";
constexpr double kUpPercent = 100;
constexpr double kDownWindow = 60;
constexpr int kDownPods = 1;
constexpr double kDownPeriod = 30;

// What the metric proposes for a load: ceil(readyPods x (load / readyPods) / target), the mean
// per replica being the load over the replicas. Neither load is near a multiple of the target, so
// a request more or less in flight proposes the same.
int proposal(double load) { return static_cast<int>(std::ceil(load / kTarget)); }

struct Expected {
  double at;
  int from;
  int to;
  std::string reason;
};

void expect_events(const std::vector<ScaleEvent>& got, const std::vector<Expected>& want) {
  ASSERT_EQ(got.size(), want.size()) << [&] {
    std::string all;
    for (const ScaleEvent& e : got)
      all += std::to_string(e.at) + ": " + std::to_string(e.from) + " -> " + std::to_string(e.to) +
             " " + e.reason + "\n";
    return all;
  }();
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_DOUBLE_EQ(got[i].at, want[i].at) << "event " << i;
    EXPECT_EQ(got[i].from, want[i].from) << "event " << i;
    EXPECT_EQ(got[i].to, want[i].to) << "event " << i;
    EXPECT_EQ(got[i].reason, want[i].reason) << "event " << i;
  }
}

// The ready replicas a window of the report holds: the count after the last event at or before
// its start (events fall on syncs, which are window starts; new replicas are ready at once).
void expect_ready_series(const FleetStats& fleet, const std::vector<Expected>& events,
                         double window) {
  ASSERT_FALSE(fleet.windows.empty());
  for (std::size_t w = 0; w < fleet.windows.size(); ++w) {
    const double start = static_cast<double>(w) * window;
    int level = 1;
    for (const Expected& e : events)
      if (e.at <= start) level = e.to;
    EXPECT_EQ(fleet.windows[w].min, level) << "window " << w;
    EXPECT_EQ(fleet.windows[w].max, level) << "window " << w;
  }
}

TEST(HpaBehaviorTest, PoliciesAndWindowsShapeTheReplicaSeries) {
  const ScenarioConfig scenario = scenario_of(load_steps(kBehavior));
  Simulation simulation(scenario);
  const RunStats& stats = simulation.run();
  EXPECT_EQ(stats.totals().failed(), 0u);

  const int low = proposal(kLow);    // 1: one replica holds the low load within tolerance
  const int high = proposal(kHigh);  // 16
  ASSERT_LE(high, kMax);
  std::vector<Expected> want;
  // Scale-up (stabilization 0 s by default): at each sync after the step the metric proposes
  // `high`, and the one policy allows ceil(replicas at the period's start x (1 + 100 %)); the
  // period is the sync period, so the previous sync's change is no longer inside it.
  int current = low;
  for (double at = kUpAt + kSync; current < high; at += kSync) {
    const int limit = static_cast<int>(std::ceil(current * (1 + kUpPercent / 100)));
    const int to = std::min(high, limit);
    want.push_back({at, current, to, to < high ? "ScaleUpLimit" : "DesiredWithinRange"});
    current = to;
  }
  // Scale-down: the last high recommendation (the sync at kDownAt) leaves the 60 s window at
  // kDownAt + 60 s (a recommendation exactly at the window's edge no longer counts); then the
  // Pods policy allows one replica less per 30 s period.
  for (double at = kDownAt + kDownWindow; current > low; at += kDownPeriod) {
    const int to = std::max(low, current - kDownPods);
    want.push_back({at, current, to, to > low ? "ScaleDownLimit" : "DesiredWithinRange"});
    current = to;
  }
  const FleetStats& fleet = simulation.fleet().stats();
  expect_events(fleet.scale_events, want);
  // 1 -> 2 -> 4 -> 8 -> 16 from 315 s to 360 s; 16 -> 1 from 660 s to 1080 s.
  EXPECT_EQ(want.size(), 4u + 15u);
  expect_ready_series(fleet, want, stats.window());
  EXPECT_EQ(fleet.peak_ready, high);
}

TEST(HpaBehaviorTest, WithoutBehaviorTheOlderPathHolds) {
  const ScenarioConfig scenario = scenario_of(load_steps(""));
  Simulation simulation(scenario);
  const RunStats& stats = simulation.run();
  const int low = proposal(kLow);
  const int high = proposal(kHigh);
  const double window = scenario.platform.autoscaling.scale_down_stabilization.count();  // 300 s
  std::vector<Expected> want;
  // At most max(2 x current, 4) per sync.
  int current = low;
  for (double at = kUpAt + kSync; current < high; at += kSync) {
    const int limit = std::max(2 * current, 4);
    const int to = std::min(high, limit);
    want.push_back({at, current, to, to < high ? "ScaleUpLimit" : "DesiredWithinRange"});
    current = to;
  }
  // The highest recommendation of the last 300 s holds (one exactly 300 s old still counts):
  // the first sync past kDownAt + 300 s drops straight to `low`.
  want.push_back({kDownAt + window + kSync, high, low, "DesiredWithinRange"});
  const FleetStats& fleet = simulation.fleet().stats();
  expect_events(fleet.scale_events, want);
  EXPECT_EQ(want.size(), 3u + 1u);  // 1 -> 4 -> 8 -> 16; 16 -> 1
  expect_ready_series(fleet, want, stats.window());
}

TEST(HpaBehaviorTest, SelectPolicyDisabledHoldsTheDirection) {
  // Scale-down disabled: the fleet stays at its peak after the load falls.
  Simulation simulation(
      scenario_of(load_steps("    behavior:\n"
                             "      scale_down: {select_policy: disabled}\n")));
  simulation.run();
  const FleetStats& fleet = simulation.fleet().stats();
  ASSERT_FALSE(fleet.scale_events.empty());
  for (const ScaleEvent& e : fleet.scale_events) EXPECT_GT(e.to, e.from) << e.at;
  EXPECT_EQ(fleet.scale_events.back().to, proposal(kHigh));
  EXPECT_EQ(fleet.windows.back().min, proposal(kHigh));
}

TEST(HpaBehaviorTest, SameScenarioSameReport) {
  const ScenarioConfig scenario = scenario_of(load_steps(kBehavior));
  Simulation a(scenario);
  a.run();
  Simulation b(scenario);
  b.run();
  EXPECT_EQ(render_report_json(a, "steps.yaml"), render_report_json(b, "steps.yaml"));
}

TEST(HpaBehaviorTest, KeysAreCheckedAsKubernetesChecksThem) {
  const auto errors =
      errors_of(load_steps("    behavior:\n"
                           "      scale_up:\n"
                           "        stabilization_window: -5s\n"
                           "        select_policy: fastest\n"
                           "        policies:\n"
                           "          - {type: replicas, value: 0, period: 0s}\n"
                           "          - {type: pods, value: 2, period: 31m}\n"
                           "          - {value: 1, period: 1.5s}\n"
                           "        tolerance: 1.5\n"
                           "      scale_down:\n"
                           "        stabilization_window: 2h\n"
                           "        policies: []\n"
                           "      scale_dwon: {}\n"));
  const std::string up = "platform.autoscaling.behavior.scale_up.";
  const std::string down = "platform.autoscaling.behavior.scale_down.";
  for (const std::string& prefix :
       {up + "stabilization_window: a duration cannot be negative, got '-5s'",
        up + "select_policy: unknown select policy 'fastest'",
        up + "policies.0.type: unknown type 'replicas'",
        up + "policies.0.value: must be greater than 0, got 0",
        up + "policies.0.period: must be a whole number of seconds from 1s to 30m, got 0s",
        up + "policies.1.period: must be a whole number of seconds from 1s to 30m, got 1860s",
        up + "policies.2.type: must be given",
        up + "policies.2.period:", up + "tolerance: must be at least 0 and below 1",
        down + "stabilization_window: must be a whole number of seconds from 0s to 1h, got 7200s",
        down + "policies: must list at least one policy",
        std::string("platform.autoscaling.behavior.scale_dwon: unknown key")})
    EXPECT_TRUE(has_error(errors, prefix)) << prefix << "\n" << joined(errors);
  EXPECT_EQ(errors.size(), 12u) << joined(errors);

  // An empty list is fine when the direction is disabled.
  EXPECT_TRUE(errors_of(load_steps("    behavior:\n"
                                   "      scale_down: {select_policy: disabled, policies: []}\n"))
                  .empty());

  // behavior is the HPA's; disable_scale_in target tracking's.
  std::string tracking = load_steps(kBehavior + "    disable_scale_in: true\n");
  tracking.replace(tracking.find("policy: hpa"), 11, "policy: target_tracking");
  const auto misplaced = errors_of(tracking);
  EXPECT_TRUE(has_error(misplaced, "platform.autoscaling.behavior: applies to policy hpa only"))
      << joined(misplaced);
  EXPECT_EQ(misplaced.size(), 1u) << joined(misplaced);
  const auto hpa = errors_of(load_steps("    disable_scale_in: true\n"));
  EXPECT_TRUE(has_error(
      hpa, "platform.autoscaling.disable_scale_in: applies to policy target_tracking only"))
      << joined(hpa);
}

}  // namespace
}  // namespace sluice::sim
