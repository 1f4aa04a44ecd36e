#include "sim/platform/horizontal_pod_autoscaler.hpp"

#include <gtest/gtest.h>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::t0;

HpaPod pod(std::vector<std::optional<double>> samples) {
  HpaPod p;
  p.started_at = t0 - 1h;
  p.ready_since = t0 - 1h;
  p.samples = std::move(samples);
  return p;
}

// `n` ready pods carrying `total` units of a per-pod metric between them (1 or 0 each), so that
// the controller's integer milli mean never rounds the total up: the proposal is exactly
// ceil(total / target) for a target of 1.
std::vector<HpaPod> pods_with_total(int n, int total) {
  std::vector<HpaPod> pods;
  for (int i = 0; i < n; ++i) pods.push_back(pod({i < total ? 1.0 : 0.0}));
  return pods;
}

std::vector<HpaPod> pods_each(int n, double value) {
  std::vector<HpaPod> pods;
  for (int i = 0; i < n; ++i) pods.push_back(pod({value}));
  return pods;
}

HpaConfig in_flight_target(double target, int min, int max) {
  HpaConfig c;
  c.min_replicas = min;
  c.max_replicas = max;
  c.metrics = {{"in_flight", HpaMetricSpec::Target::average_value, target}};
  return c;
}

TEST(HorizontalPodAutoscalerTest, DefaultsAreTheControllerManagerFlags) {
  HorizontalPodAutoscaler hpa(in_flight_target(1, 1, 10));
  EXPECT_EQ(hpa.sync_period(), 15s);
  EXPECT_DOUBLE_EQ(hpa.config().tolerance, 0.1);
  EXPECT_EQ(hpa.config().downscale_stabilization, 300s);
}

TEST(HorizontalPodAutoscalerTest, RejectsAConfigTheApiServerWouldReject) {
  EXPECT_THROW(HorizontalPodAutoscaler(HpaConfig{}), std::invalid_argument);
  EXPECT_THROW(HorizontalPodAutoscaler(in_flight_target(1, 0, 10)), std::invalid_argument);
  EXPECT_THROW(HorizontalPodAutoscaler(in_flight_target(1, 5, 4)), std::invalid_argument);
  EXPECT_THROW(HorizontalPodAutoscaler(in_flight_target(0, 1, 4)), std::invalid_argument);
  HpaConfig c = in_flight_target(1, 1, 4);
  HpaBehavior b;
  b.scale_down.policies = std::vector<HpaScalingPolicy>{{HpaScalingPolicy::Type::pods, 1, 3600s}};
  c.behavior = b;
  EXPECT_THROW(HorizontalPodAutoscaler{c}, std::invalid_argument);
  c.behavior->scale_down.policies = std::vector<HpaScalingPolicy>{};
  EXPECT_THROW(HorizontalPodAutoscaler{c}, std::invalid_argument);
  c.behavior->scale_down.select_policy = HpaSelectPolicy::disabled;
  EXPECT_NO_THROW(HorizontalPodAutoscaler{c});
}

// Without spec.behavior: at most max(2 x current, 4) per sync (convertDesiredReplicasWithRules).
TEST(HorizontalPodAutoscalerTest, WithoutBehaviorScaleUpIsLimitedToDoubleOrFour) {
  HorizontalPodAutoscaler hpa(in_flight_target(1, 1, 20));
  auto d = hpa.sync(t0, 1, pods_with_total(1, 1));  // at the target
  EXPECT_EQ(d.desired_replicas, 1);
  d = hpa.sync(at(15), 1, pods_each(1, 10.0));
  EXPECT_EQ(d.metric_replicas, 10);
  EXPECT_EQ(d.desired_replicas, 4);
  EXPECT_EQ(d.reason, "ScaleUpLimit");
  d = hpa.sync(at(30), 3, pods_each(3, 10.0));
  EXPECT_EQ(d.desired_replicas, 6);
}

// The downscale stabilization window: the highest recommendation of the last 300 s holds the
// count; a recommendation exactly 300 s old still counts (it is not Before the cutoff).
TEST(HorizontalPodAutoscalerTest, ScaleDownWaitsForTheStabilizationWindow) {
  HorizontalPodAutoscaler hpa(in_flight_target(1, 1, 10));
  EXPECT_EQ(hpa.sync(t0, 4, pods_with_total(4, 4)).desired_replicas, 4);
  for (int s = 15; s <= 300; s += 15) {
    const auto d = hpa.sync(at(s), 4, pods_with_total(4, 1));
    ASSERT_EQ(d.metric_replicas, 1) << s;
    ASSERT_EQ(d.desired_replicas, 4) << s;
    ASSERT_EQ(d.reason, "ScaleDownStabilized") << s;
  }
  const auto d = hpa.sync(at(315), 4, pods_with_total(4, 1));
  EXPECT_EQ(d.desired_replicas, 1);
  EXPECT_TRUE(d.rescaled());
}

// "uses the highest value from the specified interval": recommendations 10 (t0), 6, 8, 3, 3;
// at 400 s the window (100 s, 400 s] holds 6, 8, 3, 3 -> 8; at 550 s only 3s remain.
TEST(HorizontalPodAutoscalerTest, StabilizationTakesTheHighestRecommendationInTheWindow) {
  HorizontalPodAutoscaler hpa(in_flight_target(1, 1, 20));
  EXPECT_EQ(hpa.sync(t0, 10, pods_with_total(10, 10)).desired_replicas, 10);
  EXPECT_EQ(hpa.sync(at(100), 10, pods_with_total(10, 6)).desired_replicas, 10);
  EXPECT_EQ(hpa.sync(at(200), 10, pods_with_total(10, 8)).desired_replicas, 10);
  EXPECT_EQ(hpa.sync(at(300), 10, pods_with_total(10, 3)).desired_replicas, 10);
  EXPECT_EQ(hpa.sync(at(400), 10, pods_with_total(10, 3)).desired_replicas, 8);
  EXPECT_EQ(hpa.sync(at(550), 8, pods_with_total(8, 3)).desired_replicas, 3);
}

// Default behavior (docs "Default behavior": 4 pods or 100 % per 15 s, select Max): from 1
// replica at ten times the target, max(1 + 4, 2) = 5 first; the event leaves the 15 s period
// exactly 15 s later (getReplicasChangePerPeriod counts events After the cutoff), then
// max(5 + 4, 10) = 10.
TEST(HorizontalPodAutoscalerTest, DefaultBehaviorAddsFourPodsOrDoublesPer15Seconds) {
  HpaConfig c = in_flight_target(1, 1, 20);
  c.behavior = HpaBehavior{};
  HorizontalPodAutoscaler hpa(c);
  auto d = hpa.sync(t0, 1, pods_each(1, 10.0));
  EXPECT_EQ(d.desired_replicas, 5);
  EXPECT_EQ(d.reason, "ScaleUpLimit");
  // Four pods are still starting; the proposal stays 10 (pending pods count as zero).
  std::vector<HpaPod> pods = pods_each(1, 10.0);
  for (int i = 0; i < 4; ++i) {
    HpaPod p;
    p.phase = HpaPod::Phase::pending;
    p.ready = false;
    p.started_at = t0;
    pods.push_back(p);
  }
  d = hpa.sync(at(14), 5, pods);
  EXPECT_EQ(d.metric_replicas, 10);
  EXPECT_EQ(d.desired_replicas, 5);  // the period started at 1 replica: 1 + 4
  d = hpa.sync(at(15), 5, pods);
  EXPECT_EQ(d.desired_replicas, 10);
}

// Kubernetes docs, "Scaling policies": Pods 4 / 60 s and Percent 10 / 60 s, 80 replicas scaled
// to 10: "during the first step 8 replicas will be reduced. In the next iteration when the number
// of replicas is 72, 10% of the pods is 7.2 but the number is rounded up to 8 ... When the number
// of replicas falls below 40 the first policy (Pods) is applied and 4 replicas will be reduced at
// a time." (stabilization set to 0 so that only the policies act).
TEST(HorizontalPodAutoscalerTest, DocExampleScaleDownPolicies80To10) {
  HpaConfig c = in_flight_target(1, 1, 100);
  HpaBehavior b;
  b.scale_down.stabilization_window = 0s;
  b.scale_down.policies = std::vector<HpaScalingPolicy>{
      {HpaScalingPolicy::Type::pods, 4, 60s},
      {HpaScalingPolicy::Type::percent, 10, 60s},
  };
  c.behavior = b;
  HorizontalPodAutoscaler hpa(c);
  int current = 80;
  std::vector<int> steps;
  for (int s = 0; s <= 1200; s += 15) {
    const auto d = hpa.sync(at(s), current, pods_with_total(current, 10));
    ASSERT_EQ(d.metric_replicas, 10) << s;
    if (d.rescaled()) {
      steps.push_back(d.desired_replicas);
      EXPECT_EQ(s % 60, 0) << "one step per 60 s period, at " << s;
    }
    current = d.desired_replicas;
  }
  EXPECT_EQ(steps, (std::vector<int>{72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10}));
}

// Docs, "Example: limit scale down rate": Percent 10 / 60 s and Pods 5 / 60 s with
// selectPolicy Min: "no more than 5 Pods are removed per minute".
TEST(HorizontalPodAutoscalerTest, SelectPolicyMinTakesTheSmallestChange) {
  HpaConfig c = in_flight_target(1, 1, 100);
  HpaBehavior b;
  b.scale_down.stabilization_window = 0s;
  b.scale_down.select_policy = HpaSelectPolicy::min;
  b.scale_down.policies = std::vector<HpaScalingPolicy>{
      {HpaScalingPolicy::Type::percent, 10, 60s},
      {HpaScalingPolicy::Type::pods, 5, 60s},
  };
  c.behavior = b;
  HorizontalPodAutoscaler hpa(c);
  EXPECT_EQ(hpa.sync(t0, 80, pods_with_total(80, 10)).desired_replicas, 75);
  EXPECT_EQ(hpa.sync(at(60), 75, pods_with_total(75, 10)).desired_replicas, 70);
}

// Docs, "Example: disable scale down".
TEST(HorizontalPodAutoscalerTest, SelectPolicyDisabledNeverScalesThatWay) {
  HpaConfig c = in_flight_target(1, 1, 100);
  HpaBehavior b;
  b.scale_down.select_policy = HpaSelectPolicy::disabled;
  b.scale_down.stabilization_window = 0s;
  c.behavior = b;
  HorizontalPodAutoscaler hpa(c);
  for (int s = 0; s <= 600; s += 15) {
    const auto d = hpa.sync(at(s), 8, pods_with_total(8, 1));
    ASSERT_EQ(d.desired_replicas, 8) << s;
  }
  // Scaling up still works.
  EXPECT_EQ(hpa.sync(at(615), 8, pods_each(8, 2.0)).desired_replicas, 16);
}

// A scale-up stabilization window: the lowest recommendation of the last 60 s caps a rise.
TEST(HorizontalPodAutoscalerTest, ScaleUpStabilizationTakesTheLowestRecommendation) {
  HpaConfig c = in_flight_target(1, 1, 20);
  HpaBehavior b;
  b.scale_up.stabilization_window = 60s;
  c.behavior = b;
  HorizontalPodAutoscaler hpa(c);
  EXPECT_EQ(hpa.sync(t0, 2, pods_with_total(2, 2)).desired_replicas, 2);
  for (int s = 15; s <= 45; s += 15) {
    const auto d = hpa.sync(at(s), 2, pods_each(2, 4.0));
    ASSERT_EQ(d.metric_replicas, 8);
    ASSERT_EQ(d.desired_replicas, 2) << s;
    ASSERT_EQ(d.reason, "ScaleUpStabilized");
  }
  // The t0 recommendations (2) leave the window at 60 s; then the default rate: max(2 + 4, 4).
  EXPECT_EQ(hpa.sync(at(60), 2, pods_each(2, 4.0)).desired_replicas, 6);
}

// Several metrics: each proposes, the largest wins (docs "Scaling on multiple metrics").
TEST(HorizontalPodAutoscalerTest, MultipleMetricsTakeTheLargestProposal) {
  HpaConfig c = in_flight_target(1, 1, 20);
  c.metrics.push_back({"queue_depth", HpaMetricSpec::Target::average_value, 10});
  HorizontalPodAutoscaler hpa(c);
  std::vector<HpaPod> pods;
  for (int i = 0; i < 3; ++i) pods.push_back(pod({1.0, 20.0}));  // in-flight at target, queue 2x
  const auto d = hpa.sync(t0, 3, pods);
  ASSERT_EQ(d.proposals.size(), 2u);
  EXPECT_EQ(d.proposals[0].replicas, 3);
  EXPECT_EQ(d.proposals[1].replicas, 6);
  EXPECT_EQ(d.desired_replicas, 6);
}

// A metric that cannot be computed blocks a scale-down the others propose, not a scale-up.
TEST(HorizontalPodAutoscalerTest, AFailedMetricBlocksAScaleDownOnly) {
  HpaConfig c = in_flight_target(1, 1, 20);
  c.metrics.push_back({"queue_depth", HpaMetricSpec::Target::average_value, 10});
  c.downscale_stabilization = 0s;
  HorizontalPodAutoscaler hpa(c);
  std::vector<HpaPod> low, high;
  for (int i = 0; i < 4; ++i) {
    low.push_back(pod({0.25, std::nullopt}));
    high.push_back(pod({2.0, std::nullopt}));
  }
  auto d = hpa.sync(t0, 4, low);
  EXPECT_EQ(d.reason, "FailedGetMetrics");
  EXPECT_EQ(d.desired_replicas, 4);
  d = hpa.sync(at(15), 4, high);
  EXPECT_EQ(d.desired_replicas, 8);
}

TEST(HorizontalPodAutoscalerTest, ClampsToMinAndMaxReplicas) {
  HpaConfig c = in_flight_target(1, 2, 10);
  c.downscale_stabilization = 0s;
  HorizontalPodAutoscaler hpa(c);
  auto d = hpa.sync(t0, 8, pods_each(8, 50.0));
  EXPECT_EQ(d.desired_replicas, 10);
  EXPECT_EQ(d.reason, "TooManyReplicas");
  d = hpa.sync(at(15), 10, pods_each(10, 0.0));
  EXPECT_EQ(d.metric_replicas, 0);
  EXPECT_EQ(d.desired_replicas, 2);
  EXPECT_EQ(d.reason, "TooFewReplicas");
}

// Outside [min, max] the controller resets the count without metrics; at 0 it does nothing.
TEST(HorizontalPodAutoscalerTest, OutOfRangeCountsAreResetAndZeroDisablesScaling) {
  HorizontalPodAutoscaler hpa(in_flight_target(1, 2, 10));
  auto d = hpa.sync(t0, 12, pods_each(12, 5.0));
  EXPECT_EQ(d.desired_replicas, 10);
  EXPECT_EQ(d.reason, "AboveMaxReplicas");
  EXPECT_TRUE(d.proposals.empty());
  d = hpa.sync(at(15), 1, pods_each(1, 0.0));
  EXPECT_EQ(d.desired_replicas, 2);
  EXPECT_EQ(d.reason, "BelowMinReplicas");
  d = hpa.sync(at(30), 0, {});
  EXPECT_EQ(d.desired_replicas, 0);
  EXPECT_EQ(d.reason, "ScalingDisabled");
}

// behavior.scaleUp.tolerance (HPAConfigurableTolerance): 5 % up, the default 10 % down.
TEST(HorizontalPodAutoscalerTest, PerDirectionToleranceFromTheBehavior) {
  HpaConfig c = in_flight_target(1, 1, 20);
  HorizontalPodAutoscaler plain(c);
  EXPECT_EQ(plain.sync(t0, 4, pods_each(4, 1.08)).desired_replicas, 4);
  HpaBehavior b;
  b.scale_up.tolerance = 0.05;
  c.behavior = b;
  HorizontalPodAutoscaler tuned(c);
  EXPECT_EQ(tuned.sync(t0, 4, pods_each(4, 1.08)).desired_replicas, 5);  // ceil(4.32)
}

}  // namespace
}  // namespace sluice::sim
