#include "sim/platform/target_tracking.hpp"

#include <gtest/gtest.h>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using Action = TargetTrackingDecision::Action;

TargetTrackingConfig cpu_target(double target, int min, int max) {
  TargetTrackingConfig c;
  c.target_value = target;
  c.min_capacity = min;
  c.max_capacity = max;
  return c;
}

// Feeds one datapoint a minute from minute `from` on; returns the last decision.
struct Feeder {
  TargetTrackingPolicy& policy;
  int minute = 0;
  TargetTrackingDecision feed(double metric, int capacity) {
    return policy.on_datapoint(at(60.0 * ++minute), metric, capacity);
  }
};

TEST(TargetTrackingTest, DefaultsAreTheManagedAlarmsAndEcsCooldowns) {
  const TargetTrackingConfig c;
  EXPECT_EQ(c.period, 60s);
  EXPECT_EQ(c.scale_out_datapoints, 3);
  EXPECT_EQ(c.scale_in_datapoints, 15);
  EXPECT_DOUBLE_EQ(c.scale_in_threshold, 0.9);
  EXPECT_EQ(c.scale_out_cooldown, 300s);
  EXPECT_EQ(c.scale_in_cooldown, 300s);
  EXPECT_FALSE(c.disable_scale_in);
  EXPECT_THROW(TargetTrackingPolicy(cpu_target(0, 1, 2)), std::invalid_argument);
  EXPECT_THROW(TargetTrackingPolicy(cpu_target(50, 3, 2)), std::invalid_argument);
}

// AlarmHigh: 3 consecutive datapoints above the target; a dip restarts the count.
TEST(TargetTrackingTest, ScaleOutNeedsThreeConsecutiveDatapointsAboveTarget) {
  TargetTrackingPolicy p(cpu_target(50, 1, 20));
  Feeder f{p};
  EXPECT_EQ(f.feed(75, 4).action, Action::none);
  EXPECT_EQ(f.feed(75, 4).action, Action::none);
  EXPECT_EQ(f.feed(49, 4).action, Action::none);
  EXPECT_EQ(f.feed(75, 4).action, Action::none);
  EXPECT_EQ(f.feed(75, 4).action, Action::none);
  const auto d = f.feed(75, 4);
  EXPECT_TRUE(d.alarm_high);
  EXPECT_EQ(d.action, Action::scale_out);
  EXPECT_EQ(d.desired_capacity, 6);  // ceil(4 x 75 / 50)
}

// The threshold is strict: a metric exactly at the target does not breach.
TEST(TargetTrackingTest, ExactlyAtTargetIsNotABreach) {
  TargetTrackingPolicy p(cpu_target(50, 1, 20));
  Feeder f{p};
  for (int i = 0; i < 10; ++i) {
    const auto d = f.feed(50, 4);
    EXPECT_FALSE(d.alarm_high);
    EXPECT_EQ(d.action, Action::none);
  }
}

// AlarmLow: 15 consecutive datapoints below 90 % of the target; 45 is exactly 90 % of 50.
TEST(TargetTrackingTest, ScaleInNeedsFifteenDatapointsBelowNinetyPercent) {
  TargetTrackingPolicy p(cpu_target(50, 1, 20));
  Feeder f{p};
  for (int i = 0; i < 20; ++i) ASSERT_EQ(f.feed(45, 10).action, Action::none) << i;
  for (int i = 0; i < 14; ++i) ASSERT_EQ(f.feed(40, 10).action, Action::none) << i;
  const auto d = f.feed(40, 10);
  EXPECT_TRUE(d.alarm_low);
  EXPECT_EQ(d.action, Action::scale_in);
  EXPECT_EQ(d.desired_capacity, 8);  // ceil(10 x 40 / 50)
}

// EC2 Auto Scaling User Guide, target tracking considerations (target 50 % CPU): "adding 1.5
// instances" is rounded up to two; "removing 1.5 instances" removes just one.
TEST(TargetTrackingTest, RoundsCapacityConservativelyBothWays) {
  TargetTrackingPolicy out(cpu_target(50, 1, 20));
  Feeder fo{out};
  fo.feed(75, 3);
  fo.feed(75, 3);
  EXPECT_EQ(fo.feed(75, 3).desired_capacity, 5);  // 3 x 1.5 = 4.5: +1.5 -> +2
  TargetTrackingPolicy in(cpu_target(50, 1, 20));
  Feeder fi{in};
  TargetTrackingDecision d;
  for (int i = 0; i < 15; ++i) d = fi.feed(25, 3);
  EXPECT_EQ(d.desired_capacity, 2);  // 3 x 0.5 = 1.5: -1.5 -> -1
}

// The scale-in cooldown blocks a second scale-in; it ends 300 s after the first.
TEST(TargetTrackingTest, CooldownBlocksASecondScaleIn) {
  TargetTrackingPolicy p(cpu_target(50, 1, 20));
  Feeder f{p};
  TargetTrackingDecision d;
  for (int i = 0; i < 15; ++i) d = f.feed(20, 10);
  ASSERT_EQ(d.action, Action::scale_in);
  ASSERT_EQ(d.desired_capacity, 4);
  // Minutes 16..19: the alarm is still in ALARM, but 60..240 s < 300 s.
  for (int i = 0; i < 4; ++i) {
    d = f.feed(20, 4);
    EXPECT_EQ(d.action, Action::none);
    EXPECT_EQ(d.held_by, "scale-in cooldown");
  }
  d = f.feed(20, 4);  // 300 s after the first scale-in
  EXPECT_EQ(d.action, Action::scale_in);
  EXPECT_EQ(d.desired_capacity, 2);
}

// A scale-out during the scale-in cooldown happens at once.
TEST(TargetTrackingTest, ScaleOutIsNotHeldByTheScaleInCooldown) {
  TargetTrackingPolicy p(cpu_target(50, 1, 20));
  Feeder f{p};
  TargetTrackingDecision d;
  for (int i = 0; i < 15; ++i) d = f.feed(20, 10);
  ASSERT_EQ(d.action, Action::scale_in);
  f.feed(100, 4);
  f.feed(100, 4);
  d = f.feed(100, 4);
  EXPECT_EQ(d.action, Action::scale_out);
  EXPECT_EQ(d.desired_capacity, 8);
}

// During the scale-out cooldown the capacity already added counts: the same load proposes no
// more, a larger one adds only the difference.
TEST(TargetTrackingTest, ScaleOutCooldownAllowsOnlyALargerScaleOut) {
  TargetTrackingPolicy p(cpu_target(50, 1, 40));
  Feeder f{p};
  f.feed(100, 4);
  f.feed(100, 4);
  auto d = f.feed(100, 4);
  ASSERT_EQ(d.desired_capacity, 8);
  d = f.feed(100, 8);  // the new tasks are still starting: the metric has not moved
  EXPECT_EQ(d.action, Action::none);
  EXPECT_EQ(d.held_by, "scale-out cooldown");
  d = f.feed(150, 8);  // ceil(4 x 150 / 50) = 12 > 8
  EXPECT_EQ(d.action, Action::scale_out);
  EXPECT_EQ(d.desired_capacity, 12);
  // After the cooldown (300 s after the last scale-out) the current capacity is the base again.
  for (int i = 0; i < 4; ++i) f.feed(60, 12);
  d = f.feed(60, 12);
  EXPECT_EQ(d.action, Action::scale_out);
  EXPECT_EQ(d.desired_capacity, 15);  // ceil(12 x 60 / 50) = ceil(14.4)
}

TEST(TargetTrackingTest, ClampsToMinAndMaxCapacity) {
  TargetTrackingPolicy p(cpu_target(50, 2, 6));
  Feeder f{p};
  f.feed(200, 4);
  f.feed(200, 4);
  auto d = f.feed(200, 4);
  EXPECT_EQ(d.desired_capacity, 6);
  d = f.feed(200, 6);
  EXPECT_EQ(d.action, Action::none);
  EXPECT_EQ(d.held_by, "at max capacity");

  TargetTrackingPolicy q(cpu_target(50, 2, 6));
  Feeder g{q};
  for (int i = 0; i < 15; ++i) d = g.feed(1, 6);
  EXPECT_EQ(d.desired_capacity, 2);
  for (int i = 0; i < 5; ++i) d = g.feed(1, 2);
  EXPECT_EQ(d.action, Action::none);
  EXPECT_EQ(d.held_by, "at min capacity");
}

TEST(TargetTrackingTest, DisableScaleInKeepsCapacity) {
  TargetTrackingConfig c = cpu_target(50, 1, 20);
  c.disable_scale_in = true;
  TargetTrackingPolicy p(c);
  Feeder f{p};
  for (int i = 0; i < 30; ++i) {
    const auto d = f.feed(5, 10);
    ASSERT_EQ(d.action, Action::none);
    ASSERT_FALSE(d.alarm_low);
  }
}

}  // namespace
}  // namespace sluice::sim
