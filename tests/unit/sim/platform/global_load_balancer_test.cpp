#include "sim/platform/global_load_balancer.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::secs;

constexpr double kFar = std::numeric_limits<double>::infinity();

// Two regions with backends, 40 ms apart; each region's clients are nearest their own.
GlobalLoadBalancer two_regions(GlobalLoadBalancerConfig config = {}, double phase0 = 0,
                               double phase1 = 0) {
  return GlobalLoadBalancer(config, {{0.001, 0.040}, {0.040, 0.001}}, {true, true},
                            {at(phase0), at(phase1)});
}

// Runs region `r`'s checks up to (not past) `until`, the region answering as `up(t)` says;
// returns the first change, if any.
template <class Up>
std::optional<RegionHealthChange> check_until(GlobalLoadBalancer& lb, std::size_t r, Time until,
                                              Up up) {
  std::optional<RegionHealthChange> first;
  while (lb.next_check(r) <= until) {
    const Time t = lb.next_check(r);
    const auto change = lb.check(r, t, up(t));
    if (change && !first) first = change;
  }
  return first;
}

TEST(GlobalLoadBalancerTest, DefaultsAreGoogleCloudHealthChecksWithoutDns) {
  const GlobalLoadBalancerConfig c;
  EXPECT_EQ(c.interval, 5s);
  EXPECT_EQ(c.unhealthy_threshold, 2);
  EXPECT_EQ(c.healthy_threshold, 2);
  EXPECT_EQ(c.dns_ttl, Duration::zero());
}

TEST(GlobalLoadBalancerTest, RejectsSettingsThatCannotWork) {
  const auto make = [](GlobalLoadBalancerConfig c, std::vector<bool> backends) {
    return GlobalLoadBalancer(c, {{0, 1}, {1, 0}}, std::move(backends), {at(0), at(0)});
  };
  GlobalLoadBalancerConfig zero_interval;
  zero_interval.interval = Duration::zero();
  EXPECT_THROW(make(zero_interval, {true, true}), std::invalid_argument);
  GlobalLoadBalancerConfig zero_threshold;
  zero_threshold.healthy_threshold = 0;
  EXPECT_THROW(make(zero_threshold, {true, true}), std::invalid_argument);
  GlobalLoadBalancerConfig negative_ttl;
  negative_ttl.dns_ttl = -1s;
  EXPECT_THROW(make(negative_ttl, {true, true}), std::invalid_argument);
  EXPECT_THROW(make({}, {false, false}), std::invalid_argument);
  EXPECT_THROW(GlobalLoadBalancer({}, {{0}}, {true, true}, {at(0), at(0)}), std::invalid_argument);
}

// Checks every interval from the region's own phase; unhealthy at the unhealthy_threshold-th
// consecutive failure, not before; a pass in between starts the count again.
TEST(GlobalLoadBalancerTest, UnhealthyAfterThresholdConsecutiveFailures) {
  GlobalLoadBalancerConfig c;
  c.interval = 10s;
  c.unhealthy_threshold = 3;
  GlobalLoadBalancer lb = two_regions(c, 4);
  EXPECT_EQ(lb.next_check(0), at(4));
  EXPECT_FALSE(lb.check(0, at(4), true));
  EXPECT_EQ(lb.next_check(0), at(14));
  EXPECT_FALSE(lb.check(0, at(14), false));
  EXPECT_FALSE(lb.check(0, at(24), false));
  EXPECT_FALSE(lb.check(0, at(34), true));  // the count starts again
  EXPECT_FALSE(lb.check(0, at(44), false));
  EXPECT_FALSE(lb.check(0, at(54), false));
  EXPECT_TRUE(lb.healthy(0));
  const auto change = lb.check(0, at(64), false);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->region, 0u);
  EXPECT_FALSE(change->healthy);
  EXPECT_EQ(change->at, at(64));
  EXPECT_FALSE(lb.healthy(0));
  EXPECT_FALSE(lb.check(0, at(74), false));  // already unhealthy: no change
}

TEST(GlobalLoadBalancerTest, HealthyAgainAfterHealthyThresholdConsecutivePasses) {
  GlobalLoadBalancerConfig c;
  c.unhealthy_threshold = 1;
  c.healthy_threshold = 3;
  GlobalLoadBalancer lb = two_regions(c);
  ASSERT_TRUE(lb.check(0, at(0), false));
  EXPECT_FALSE(lb.check(0, at(5), true));
  EXPECT_FALSE(lb.check(0, at(10), true));
  EXPECT_FALSE(lb.check(0, at(15), false));  // the count starts again
  EXPECT_FALSE(lb.check(0, at(20), true));
  EXPECT_FALSE(lb.check(0, at(25), true));
  const auto change = lb.check(0, at(30), true);
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->healthy);
  EXPECT_TRUE(lb.healthy(0));
}

// Whatever the checker's phase, an outage starting at F is detected at the first check at or
// after F plus (threshold - 1) intervals: between F + (threshold - 1) x interval and
// F + threshold x interval (excluded). Failback likewise from the outage's end.
TEST(GlobalLoadBalancerTest, DetectionTakesThresholdChecksFromTheFirstCheckOfTheOutage) {
  for (const double phase : {0.0, 0.5, 1.7, 2.5, 4.99}) {
    GlobalLoadBalancerConfig c;  // every 5 s, 2 and 2
    GlobalLoadBalancer lb = two_regions(c, phase);
    const double from = 100, to = 160;
    const auto up = [&](Time t) { return t < at(from) || t >= at(to); };
    const auto down = check_until(lb, 0, at(to), up);
    ASSERT_TRUE(down) << "phase " << phase;
    EXPECT_FALSE(down->healthy);
    EXPECT_GE(down->at, at(from + 5)) << "phase " << phase;
    EXPECT_LT(down->at, at(from + 10)) << "phase " << phase;
    const auto back = check_until(lb, 0, at(to + 20), up);
    ASSERT_TRUE(back) << "phase " << phase;
    EXPECT_TRUE(back->healthy);
    EXPECT_GE(back->at, at(to + 5)) << "phase " << phase;
    EXPECT_LT(back->at, at(to + 10)) << "phase " << phase;
  }
}

TEST(GlobalLoadBalancerTest, AnOutageShorterThanDetectionGoesUnnoticed) {
  GlobalLoadBalancer lb = two_regions({}, 1);
  // Down for 5.5 s from 100: the check at 101 fails, the one at 106 passes.
  const auto up = [](Time t) { return t < at(100) || t >= at(105.5); };
  EXPECT_FALSE(check_until(lb, 0, at(200), up));
  EXPECT_TRUE(lb.healthy(0));
}

// Clients go to the nearest healthy region, move to the next nearest when it fails, and come
// back when it recovers.
TEST(GlobalLoadBalancerTest, RoutesToTheNearestHealthyRegionAndFailsBack) {
  GlobalLoadBalancerConfig c;
  c.unhealthy_threshold = 1;
  c.healthy_threshold = 1;
  // Three regions; region 2's clients are 30 ms from region 0 and 20 ms from region 1.
  GlobalLoadBalancer lb(c, {{0, 0.05, 0.03}, {0.05, 0, 0.02}, {0.03, 0.02, 0}}, {true, true, true},
                        {at(0), at(0), at(0)});
  EXPECT_EQ(lb.route(0, at(0), 0), 0u);
  EXPECT_EQ(lb.route(1, at(0), 0), 1u);
  EXPECT_EQ(lb.route(2, at(0), 0), 2u);
  lb.check(2, at(5), false);
  EXPECT_EQ(lb.route(2, at(5), 0), 1u) << "the next nearest";
  lb.check(1, at(5), false);
  EXPECT_EQ(lb.route(2, at(5), 0), 0u);
  EXPECT_EQ(lb.route(1, at(5), 0), 0u);
  lb.check(2, at(10), true);
  EXPECT_EQ(lb.route(2, at(10), 0), 2u) << "failback";
  EXPECT_EQ(lb.route(1, at(10), 0), 2u) << "region 1's clients: 20 ms to region 2, 50 to 0";
}

// A region with clients but no replicas sends them to the nearest region that has replicas; it
// is never a target and never checked.
TEST(GlobalLoadBalancerTest, ARegionWithoutBackendsIsNeverATarget) {
  GlobalLoadBalancer lb({}, {{0, 0.08, kFar}, {0.08, 0, 0.06}, {kFar, 0.06, 0}},
                        {true, false, true}, {at(0), at(0), at(0)});
  EXPECT_EQ(lb.next_check(1), Time::max());
  EXPECT_FALSE(lb.check(1, at(0), false));
  EXPECT_EQ(lb.route(1, at(0), 0), 2u);
  EXPECT_EQ(lb.route(0, at(0), 0), 0u);
}

// No healthy region: all count as healthy (Route 53's rule), so each client keeps its nearest.
TEST(GlobalLoadBalancerTest, WithNoHealthyRegionEveryRegionCountsAsHealthy) {
  GlobalLoadBalancerConfig c;
  c.unhealthy_threshold = 1;
  GlobalLoadBalancer lb = two_regions(c);
  lb.check(0, at(0), false);
  EXPECT_EQ(lb.route(0, at(0), 0), 1u);
  lb.check(1, at(0), false);
  EXPECT_EQ(lb.route(0, at(1), 0), 0u);
  EXPECT_EQ(lb.route(1, at(1), 0), 1u);
}

// With a DNS TTL, a client routes by the health as it was when its answer was resolved,
// cache_draw x TTL ago: t seconds after a change, the clients whose answers are older than t
// (cache_draw > t / TTL) still use the old one; one TTL after it, none do.
TEST(GlobalLoadBalancerTest, ADnsTtlSpreadsAChangeOverOneTtl) {
  GlobalLoadBalancerConfig c;
  c.interval = 10s;
  c.unhealthy_threshold = 1;
  c.healthy_threshold = 1;
  c.dns_ttl = 60s;
  GlobalLoadBalancer lb = two_regions(c);
  ASSERT_TRUE(lb.check(0, at(100), false));
  // 15 s after the change: answers resolved more than 15 s ago (draw above 0.25) are stale.
  EXPECT_EQ(lb.route(0, at(115), 0.24), 1u);
  EXPECT_EQ(lb.route(0, at(115), 0.26), 0u) << "a cached answer from before the change";
  EXPECT_EQ(lb.route(0, at(159), 0.99), 0u);
  EXPECT_EQ(lb.route(0, at(160), 0.99), 1u) << "one TTL on, every answer is new";
  // Failback spreads the same way; the history the TTL needs is kept across later checks.
  for (double t = 110; t < 200; t += 10) lb.check(0, at(t), false);
  ASSERT_TRUE(lb.check(0, at(200), true));
  EXPECT_EQ(lb.route(0, at(230), 0.4), 0u);
  EXPECT_EQ(lb.route(0, at(230), 0.6), 1u);
  EXPECT_EQ(lb.route(0, at(260), 0.99), 0u);
}

// Without a TTL every request sees the health now, whatever its draw.
TEST(GlobalLoadBalancerTest, WithoutATtlEveryRequestSeesTheHealthNow) {
  GlobalLoadBalancerConfig c;
  c.unhealthy_threshold = 1;
  GlobalLoadBalancer lb = two_regions(c);
  lb.check(0, at(10), false);
  EXPECT_EQ(lb.route(0, at(10), 0.99), 1u);
  EXPECT_EQ(lb.route(0, at(10), 0), 1u);
}

}  // namespace
}  // namespace sluice::sim
