#include "sim/platform/hpa_replica_calculator.hpp"

#include <gtest/gtest.h>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::t0;

// A pod started long before the sync (outside the CPU initialization period), ready since then.
HpaPod ready_pod(std::optional<double> sample) {
  HpaPod p;
  p.started_at = t0 - 1h;
  p.ready_since = t0 - 1h;
  p.samples = {sample};
  return p;
}

HpaPod pending_pod() {
  HpaPod p;
  p.phase = HpaPod::Phase::pending;
  p.ready = false;
  p.started_at = t0 - 5s;
  return p;
}

HpaPod terminating_pod(double sample) {
  HpaPod p = ready_pod(sample);
  p.phase = HpaPod::Phase::terminating;
  return p;
}

std::vector<HpaPod> ready_pods(std::initializer_list<double> samples) {
  std::vector<HpaPod> pods;
  for (double s : samples) pods.push_back(ready_pod(s));
  return pods;
}

HpaConfig average_value(double target) {
  HpaConfig c;
  c.metrics = {{"in_flight", HpaMetricSpec::Target::average_value, target}};
  return c;
}

HpaConfig cpu_utilization(double target_percent, double request) {
  HpaConfig c;
  c.metrics = {{"cpu", HpaMetricSpec::Target::resource_utilization, target_percent, request}};
  return c;
}

HpaMetricProposal propose(const HpaConfig& c, int current, const std::vector<HpaPod>& pods) {
  return propose_replicas(c, 0, current, pods, {c.tolerance, c.tolerance}, t0);
}

// Kubernetes docs, "Horizontal Pod Autoscaling", Algorithm details: "if the current metric value
// is 200m, and the desired value is 100m, the number of replicas will be doubled".
TEST(HpaReplicaCalculatorTest, DocExampleDoublesAt200mAgainst100m) {
  const auto p = propose(average_value(0.1), 4, ready_pods({0.2, 0.2, 0.2, 0.2}));
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_DOUBLE_EQ(p.usage_ratio, 2.0);
  EXPECT_EQ(p.replicas, 8);
}

// Same section: "If the current value is instead 50m, you'll halve the number of replicas".
TEST(HpaReplicaCalculatorTest, DocExampleHalvesAt50mAgainst100m) {
  const auto p = propose(average_value(0.1), 4, ready_pods({0.05, 0.05, 0.05, 0.05}));
  EXPECT_EQ(p.replicas, 2);
}

// Tolerance 0.1: no change while 0.9 <= ratio <= 1.1, both ends included (isWithin).
TEST(HpaReplicaCalculatorTest, ToleranceBoundariesAreInclusive) {
  const HpaConfig c = cpu_utilization(50, 1.0);
  // 55 % of a 50 % target: ratio exactly 1.1, within.
  EXPECT_EQ(propose(c, 4, ready_pods({0.55, 0.55, 0.55, 0.55})).replicas, 4);
  // 56 %: 1.12 x 4 = 4.48 -> 5.
  EXPECT_EQ(propose(c, 4, ready_pods({0.56, 0.56, 0.56, 0.56})).replicas, 5);
  std::vector<HpaPod> ten_at_45, ten_at_44;
  for (int i = 0; i < 10; ++i) {
    ten_at_45.push_back(ready_pod(0.45));
    ten_at_44.push_back(ready_pod(0.44));
  }
  // 45 %: ratio exactly 0.9, within; 44 %: 0.88 x 10 = 8.8 -> 9.
  EXPECT_EQ(propose(c, 10, ten_at_45).replicas, 10);
  EXPECT_EQ(propose(c, 10, ten_at_44).replicas, 9);
}

// GetResourceUtilizationRatio keeps whole percent: 55.49 % is 55 %, inside the tolerance.
TEST(HpaReplicaCalculatorTest, UtilizationIsTruncatedToWholePercent) {
  const auto p = propose(cpu_utilization(50, 1.0), 4, ready_pods({0.5549, 0.5549, 0.5549, 0.5549}));
  EXPECT_DOUBLE_EQ(p.current, 55);
  EXPECT_EQ(p.replicas, 4);
}

// GetMetricUsageRatio divides integer milli-values: (1000 + 1000 + 1001) / 3 = 1000m, exactly the
// target, so even with no tolerance nothing changes (the exact mean would give ceil(3.001) = 4).
TEST(HpaReplicaCalculatorTest, AverageIsTruncatedToMilliUnits) {
  HpaConfig c = average_value(1.0);
  c.tolerance = 0;
  const auto p = propose(c, 3, ready_pods({1.0, 1.0, 1.001}));
  EXPECT_DOUBLE_EQ(p.current, 1.0);
  EXPECT_EQ(p.replicas, 3);
}

// A starting (pending) pod is set aside; on a scale-up it counts as using nothing.
TEST(HpaReplicaCalculatorTest, PendingPodsCountAsZeroOnAScaleUp) {
  std::vector<HpaPod> pods = ready_pods({3.0, 3.0});
  pods.push_back(pending_pod());
  pods.push_back(pending_pod());
  // First pass 3.0; with the pending pods at 0: 6000m / 4 = 1.5 -> ceil(1.5 x 4) = 6.
  const auto p = propose(average_value(1.0), 4, pods);
  EXPECT_DOUBLE_EQ(p.usage_ratio, 3.0);
  EXPECT_EQ(p.replicas, 6);
}

// With the pending pods at zero the ratio falls under 1: the direction would flip, so nothing
// changes (without the rule, ceil(1.5 x 2) = 3 would scale 4 replicas down while pods start).
TEST(HpaReplicaCalculatorTest, PendingPodsThatReverseTheDirectionHoldTheCount) {
  std::vector<HpaPod> pods = ready_pods({1.5, 1.5});
  pods.push_back(pending_pod());
  pods.push_back(pending_pod());
  EXPECT_EQ(propose(average_value(1.0), 4, pods).replicas, 4);
}

// Pending pods within tolerance after the second pass: 4200m / 4 = 1.05.
TEST(HpaReplicaCalculatorTest, PendingPodsWithinToleranceHoldTheCount) {
  std::vector<HpaPod> pods = ready_pods({2.1, 2.1});
  pods.push_back(pending_pod());
  pods.push_back(pending_pod());
  EXPECT_EQ(propose(average_value(1.0), 4, pods).replicas, 4);
}

// On a scale-down the pending pods are simply left out: ceil(0.2 x 2) = 1.
TEST(HpaReplicaCalculatorTest, PendingPodsAreIgnoredOnAScaleDown) {
  std::vector<HpaPod> pods = ready_pods({0.2, 0.2});
  pods.push_back(pending_pod());
  pods.push_back(pending_pod());
  EXPECT_EQ(propose(average_value(1.0), 4, pods).replicas, 1);
}

// Missing samples: assumed at the target on a scale-down: (1500 + 1000) / 4 = 0.625 -> 3 (not 2).
TEST(HpaReplicaCalculatorTest, MissingSamplesCountAsTheTargetOnAScaleDown) {
  std::vector<HpaPod> pods = ready_pods({0.5, 0.5, 0.5});
  pods.push_back(ready_pod(std::nullopt));
  EXPECT_EQ(propose(average_value(1.0), 4, pods).replicas, 3);
}

// ... and at zero on a scale-up: 4200m / 4 = 1.05, within tolerance (without the rule,
// ceil(1.4 x 3) = 5).
TEST(HpaReplicaCalculatorTest, MissingSamplesCountAsZeroOnAScaleUp) {
  std::vector<HpaPod> pods = ready_pods({1.4, 1.4, 1.4});
  pods.push_back(ready_pod(std::nullopt));
  const auto p = propose(average_value(1.0), 4, pods);
  EXPECT_DOUBLE_EQ(p.usage_ratio, 1.4);
  EXPECT_EQ(p.replicas, 4);
}

// For utilization, a missing pod on a scale-down is assumed at 100 % of its request, not at the
// target: (2 x 20 % + 100 %) / 3 = 46 % against 50 % -> within tolerance.
TEST(HpaReplicaCalculatorTest, MissingUtilizationSamplesCountAsFullRequestOnAScaleDown) {
  std::vector<HpaPod> pods = ready_pods({0.2, 0.2});
  pods.push_back(ready_pod(std::nullopt));
  EXPECT_EQ(propose(cpu_utilization(50, 1.0), 3, pods).replicas, 3);
}

TEST(HpaReplicaCalculatorTest, TerminatingPodsAreIgnored) {
  std::vector<HpaPod> pods = ready_pods({2.0, 2.0});
  pods.push_back(terminating_pod(0.0));
  pods.push_back(terminating_pod(0.0));
  EXPECT_EQ(propose(average_value(1.0), 2, pods).replicas, 4);
}

TEST(HpaReplicaCalculatorTest, NoSamplesFromReadyPodsIsAnError) {
  const auto p = propose(average_value(1.0), 2, {pending_pod(), pending_pod()});
  EXPECT_FALSE(p.ok());
  EXPECT_FALSE(propose(average_value(1.0), 0, {}).ok());
}

// CPU: a pod within its initialization period whose sample may predate its readiness (ready for
// less than one metric window) is unready, and on a scale-up counts as 0 %.
TEST(HpaReplicaCalculatorTest, CpuOfAFreshlyReadyPodIsSetAside) {
  const HpaConfig c = cpu_utilization(50, 1.0);  // window 15 s, initialization period 300 s
  HpaPod fresh = ready_pod(1.0);
  fresh.started_at = t0 - 60s;
  fresh.ready_since = t0 - 10s;
  std::vector<HpaPod> pods = {ready_pod(0.9), fresh};
  // First pass: 90 % alone -> 1.8; fresh pod at 0 %: 45 % -> 0.9, within: no change.
  EXPECT_EQ(propose(c, 2, pods).replicas, 2);
  // Ready for 20 s, longer than the window: its sample counts: 95 % -> 1.9 x 2 -> 4.
  pods[1].ready_since = t0 - 20s;
  EXPECT_EQ(propose(c, 2, pods).replicas, 4);
}

// The CPU rule does not apply to a per-pod average (calcPlainMetricReplicas passes no resource).
TEST(HpaReplicaCalculatorTest, AverageValueDoesNotApplyTheCpuReadinessRule) {
  HpaPod fresh = ready_pod(2.0);
  fresh.started_at = t0 - 60s;
  fresh.ready_since = t0 - 1s;
  EXPECT_EQ(propose(average_value(1.0), 2, {ready_pod(2.0), fresh}).replicas, 4);
}

}  // namespace
}  // namespace sluice::sim
