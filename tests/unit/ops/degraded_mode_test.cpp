#include "ops/degraded_mode.hpp"

#include <gtest/gtest.h>

namespace sluice::ops {
namespace {

using std::chrono::seconds;

class DegradedModeTest : public ::testing::Test {
 protected:
  DegradedMode mode{seconds(10), seconds(30)};
  DegradedMode::Clock::time_point t0;
  // Samples `pressured` every second for `count` seconds from `from`; returns the next time.
  DegradedMode::Clock::time_point sample(DegradedMode::Clock::time_point from, int count,
                                         bool pressured) {
    for (int i = 0; i < count; ++i) mode.observe(pressured, from + seconds(i));
    return from + seconds(count);
  }
};

TEST_F(DegradedModeTest, TurnsOnOnlyAfterUnbrokenPressure) {
  auto t = sample(t0, 10, true);  // 0..9 s: not yet 10 s of pressure
  EXPECT_FALSE(mode.on());
  EXPECT_TRUE(mode.observe(true, t));  // 10 s
  EXPECT_TRUE(mode.on());
}

TEST_F(DegradedModeTest, ACalmSampleRestartsTheStreak) {
  auto t = sample(t0, 9, true);
  t = sample(t, 1, false);
  t = sample(t, 10, true);
  EXPECT_FALSE(mode.on());
  t = sample(t, 1, true);
  EXPECT_TRUE(mode.on());
}

TEST_F(DegradedModeTest, TurnsOffAfterTheLongerCalmSpell) {
  auto t = sample(t0, 11, true);
  ASSERT_TRUE(mode.on());
  t = sample(t, 20, false);
  t = sample(t, 1, true);  // a burst while degraded keeps it on
  t = sample(t, 30, false);
  EXPECT_TRUE(mode.on());
  EXPECT_TRUE(mode.observe(false, t));
  EXPECT_FALSE(mode.on());
}

}  // namespace
}  // namespace sluice::ops
