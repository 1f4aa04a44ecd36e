#include "gateway/routing/canary_window.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = CanaryWindow::Clock;

const Clock::time_point kT0 = Clock::time_point{} + 1000h;

TEST(CanaryWindowTest, CountsRequestsAndFailuresWithinTheWindow) {
  CanaryWindow window(100s, false);
  for (int i = 0; i < 30; ++i) window.record(kT0 + std::chrono::seconds(i), i % 3 == 0, {});
  const CanaryReading r = window.read(kT0 + 30s);
  EXPECT_EQ(r.requests, 30u);
  EXPECT_EQ(r.failures, 10u);
  EXPECT_DOUBLE_EQ(r.error_rate(), 10.0 / 30);
  EXPECT_FALSE(r.p99) << "no latency kept";
}

TEST(CanaryWindowTest, SlidesOutWholeSlicesOnceAWindowOld) {
  // Slices of 10 s, aligned to the clock's epoch (kT0 is a multiple of 10 s).
  CanaryWindow window(100s, false);
  window.record(kT0 + 1s, true, {});   // slice 0
  window.record(kT0 + 15s, true, {});  // slice 1
  window.record(kT0 + 95s, false, {});
  EXPECT_EQ(window.read(kT0 + 99s).requests, 3u);
  // At 100 s slice 0 is a window old: gone, the rest stays.
  CanaryReading r = window.read(kT0 + 100s);
  EXPECT_EQ(r.requests, 2u);
  EXPECT_EQ(r.failures, 1u);
  r = window.read(kT0 + 110s);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.failures, 0u);
  EXPECT_EQ(window.read(kT0 + 500s).requests, 0u) << "a long silence empties it";
  // Recording after the silence starts afresh (the ring's slot held an expired slice).
  window.record(kT0 + 501s, true, {});
  EXPECT_EQ(window.read(kT0 + 501s).requests, 1u);
}

TEST(CanaryWindowTest, AnOlderTimeCountsAsTheNewest) {
  CanaryWindow window(100s, false);
  window.record(kT0 + 150s, false, {});
  window.record(kT0 + 20s, true, {});  // a thread that read the clock earlier
  EXPECT_EQ(window.read(kT0 + 150s).failures, 1u);
  EXPECT_EQ(window.read(kT0 + 249s).requests, 2u);
  EXPECT_EQ(window.read(kT0 + 250s).requests, 0u);
}

TEST(CanaryWindowTest, P99IsTheNearestRankWithinItsBucket) {
  CanaryWindow window(60s, true);
  // 990 fast (100 ms) and 10 slow (3 s): the 990th value is 100 ms, the 991st 3 s.
  for (int i = 0; i < 990; ++i) window.record(kT0, false, 0.1);
  for (int i = 0; i < 10; ++i) window.record(kT0, false, 3.0);
  CanaryReading r = window.read(kT0);
  ASSERT_TRUE(r.p99);
  EXPECT_EQ(r.samples, 1000u);
  EXPECT_NEAR(*r.p99, 0.1, 0.1 * 0.045);
  window.record(kT0, false, 3.0);  // now 11 of 1001 are slow: rank 991 is slow
  r = window.read(kT0);
  EXPECT_NEAR(*r.p99, 3.0, 3.0 * 0.045);
  // A failure without a value counts as a request, not as a latency sample.
  window.record(kT0, true, std::nullopt);
  r = window.read(kT0);
  EXPECT_EQ(r.requests, 1002u);
  EXPECT_EQ(r.samples, 1001u);
}

TEST(CanaryWindowTest, BucketsHoldEveryValueWithin4Point5Percent) {
  for (double v = 0.0011; v < 2000; v *= 1.013) {
    const double read = CanaryWindow::bucket_value(CanaryWindow::bucket_of(v));
    EXPECT_LT(std::abs(read - v) / v, 0.045) << v;
  }
  EXPECT_EQ(CanaryWindow::bucket_of(0), 0);
  EXPECT_EQ(CanaryWindow::bucket_of(1e9), CanaryWindow::kBuckets - 1);
}

TEST(CanaryWindowTest, ClearEmptiesIt) {
  CanaryWindow window(60s, true);
  window.record(kT0, true, 1.0);
  window.clear();
  const CanaryReading r = window.read(kT0);
  EXPECT_EQ(r.requests, 0u);
  EXPECT_EQ(r.samples, 0u);
  EXPECT_FALSE(r.p99);
}

}  // namespace
}  // namespace sluice::gateway
