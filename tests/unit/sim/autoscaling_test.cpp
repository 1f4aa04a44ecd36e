// platform: {kind: server}: the autoscalers driving real replicas on a simulated load step.

#include <gtest/gtest.h>

#include <cmath>

#include "sim/report/report_json.hpp"
#include "unit/sim/sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::load_step;
using testing::scenario_of;

const std::string kHpa = "  autoscaling: {policy: hpa, metric: in_flight, target: 5}\n";

TEST(AutoscalingTest, HpaFollowsALoadStepUpAndBackDown) {
  Simulation simulation(scenario_of(load_step(kHpa)));
  const RunStats& stats = simulation.run();
  EXPECT_EQ(stats.totals().failed(), 0u);
  const FleetStats& fleet = simulation.fleet().stats();
  ASSERT_EQ(fleet.scale_events.size(), 2u);
  // The step comes at 300 s; the sync at 315 s averages 10 in flight per replica: 4 -> 8 (the
  // controller's older path allows at most max(2 x 4, 4) = 8 at once, which is what it wants).
  const ScaleEvent& up = fleet.scale_events[0];
  EXPECT_EQ(up.from, 4);
  EXPECT_EQ(up.to, 8);
  EXPECT_GT(up.at, 300);
  EXPECT_LE(up.at, 330);  // within two sync periods of the step
  // Back to 20 in flight at 600 s: 8 replicas see 2.5 each and recommend 4, but the last
  // recommendation of 8 (the sync at 600 s) holds for the 300 s stabilization window, so the
  // scale-in comes at the first sync after 900 s.
  const ScaleEvent& down = fleet.scale_events[1];
  EXPECT_EQ(down.from, 8);
  EXPECT_EQ(down.to, 4);
  EXPECT_GT(down.at, 900);
  EXPECT_LE(down.at, 915);
  // The new replicas become ready 30 s after the scale-out, within window 5 (300-360 s).
  ASSERT_EQ(fleet.windows.size(), stats.windows().size());
  EXPECT_EQ(fleet.windows[4].min, 4);
  EXPECT_EQ(fleet.windows[4].max, 4);
  EXPECT_EQ(fleet.windows[5].min, 4);
  EXPECT_EQ(fleet.windows[5].max, 8);
  EXPECT_GT(fleet.windows[5].mean, 4);
  EXPECT_LT(fleet.windows[5].mean, 8);
  EXPECT_EQ(fleet.windows[8].min, 8);
  EXPECT_NEAR(fleet.windows[8].mean, 8, 1e-9);
  EXPECT_EQ(fleet.windows[17].max, 4);
  EXPECT_EQ(fleet.peak_ready, 8);
  // New replicas are real ones: eight were ever ready, and each served requests.
  ASSERT_EQ(simulation.replica_count(), 8u);
  EXPECT_GT(simulation.replica(7).tokens_served(), 0);
  // Billed: 4 replicas all along, 4 more from the scale-out (starting ones too) to the drain.
  const double extra_seconds = down.at - up.at;
  EXPECT_NEAR(fleet.replica_hours, (4 * 1200 + 4 * extra_seconds) / 3600, 4.0 / 3600);
  EXPECT_NEAR(fleet.cost_usd, fleet.replica_hours * 3.6, 1e-9);
}

TEST(AutoscalingTest, TargetTrackingScalesOutAfterThreeHighDatapoints) {
  Simulation simulation(scenario_of(
      load_step("  autoscaling: {policy: target_tracking, metric: in_flight, target: 5}\n")));
  simulation.run();
  const FleetStats& fleet = simulation.fleet().stats();
  ASSERT_FALSE(fleet.scale_events.empty());
  // Datapoints at 360, 420 and 480 s are above the target: AlarmHigh fires at 480 s and asks
  // for ceil(4 x 10 / 5) = 8. Scale-in needs 15 low datapoints: not within the run.
  EXPECT_DOUBLE_EQ(fleet.scale_events[0].at, 480);
  EXPECT_EQ(fleet.scale_events[0].to, 8);
  EXPECT_EQ(fleet.scale_events.size(), 1u);
}

// The load step with 18 in flight after it (not 20: one request more or less in flight then
// asks for the same capacity), run for 30 minutes.
ScenarioConfig step_down_to_18(const std::string& autoscaling) {
  std::string yaml = load_step(autoscaling);
  yaml.replace(yaml.find("{duration: 10m, rate: 20}"), 25, "{duration: 10m, rate: 18}");
  return scenario_of(yaml, {.duration = "30m"});
}

TEST(AutoscalingTest, TargetTrackingScalesInUnlessScaleInIsDisabled) {
  // After the step down at 600 s the 8 replicas hold 18 / 8 in flight each, below AlarmLow's
  // threshold (90 % of the target) from the datapoint that ends at 660 s; the alarm fires at the
  // scale_in_datapoints-th such datapoint and asks for ceil(8 x (18 / 8) / 5) replicas.
  const TargetTrackingConfig alarms;
  const double period = alarms.period.count();
  const double target = 5, low = 18, replicas = 8;
  ASSERT_LT(low / replicas, alarms.scale_in_threshold * target);
  const double scale_in_at = 600 + period + (alarms.scale_in_datapoints - 1) * period;  // 1500 s
  const std::string tracking =
      "  autoscaling: {policy: target_tracking, metric: in_flight, target: 5";
  Simulation scaling(step_down_to_18(tracking + "}\n"));
  scaling.run();
  const std::vector<ScaleEvent>& events = scaling.fleet().stats().scale_events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].to, replicas);
  EXPECT_DOUBLE_EQ(events[1].at, scale_in_at);
  EXPECT_EQ(events[1].from, replicas);
  EXPECT_EQ(events[1].to, std::ceil(replicas * (low / replicas) / target));
  EXPECT_EQ(events[1].reason, "AlarmLow");

  // DisableScaleIn: the scale-out alone, and the fleet keeps its size to the end.
  Simulation held(step_down_to_18(tracking + ", disable_scale_in: true}\n"));
  held.run();
  const FleetStats& fleet = held.fleet().stats();
  ASSERT_EQ(fleet.scale_events.size(), 1u);
  EXPECT_EQ(fleet.scale_events[0].to, replicas);
  EXPECT_EQ(fleet.windows.back().min, replicas);
}

TEST(AutoscalingTest, SameScenarioSameReport) {
  const ScenarioConfig scenario = scenario_of(load_step(kHpa));
  Simulation a(scenario);
  a.run();
  Simulation b(scenario);
  b.run();
  const std::string json = render_report_json(a, "step.yaml");
  EXPECT_EQ(json, render_report_json(b, "step.yaml"));
  EXPECT_NE(json.find("\"scale_events\""), std::string::npos);
  EXPECT_NE(json.find("\"ready_replicas\""), std::string::npos);
}

TEST(AutoscalingTest, PlatformKeysAreChecked) {
  const auto errors =
      errors_of(load_step("  autoscaling: {policy: kubernetes, metric: memory, target: 0}\n"
                          "replicas: {count: 3}\n"));
  EXPECT_TRUE(has_error(errors, "platform.autoscaling.policy: unknown policy 'kubernetes'"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "platform.autoscaling.metric: unknown metric 'memory'"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "platform.autoscaling.target: must be greater than 0"))
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "replicas.count: is given together with platform"))
      << joined(errors);
  const auto cpu = errors_of(load_step("  autoscaling: {policy: hpa, metric: cpu, target: 70}\n"));
  EXPECT_TRUE(has_error(cpu, "platform.autoscaling.metric: cpu is the busy share")) << joined(cpu);
  const auto range =
      errors_of(testing::minimal_scenario("  rate: 10\n",
                                          "platform: {kind: server, replicas: {min: 5, "
                                          "max: 2}, autscaling: {}}\n"));
  EXPECT_TRUE(has_error(range, "platform.replicas.max: must be between replicas.min"))
      << joined(range);
  EXPECT_TRUE(has_error(range, "platform.autscaling: unknown key")) << joined(range);
}

}  // namespace
}  // namespace sluice::sim
