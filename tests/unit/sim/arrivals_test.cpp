// The traffic's arrival process: rates, ramps, repeats, Poisson counts.
#include "sim/model/arrivals.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;

std::vector<double> all(Arrivals& arrivals) {
  std::vector<double> out;
  while (auto t = arrivals.next()) out.push_back(*t);
  return out;
}

std::size_t count_in(const std::vector<double>& times, double from, double to) {
  std::size_t n = 0;
  for (double t : times) n += t >= from && t < to ? 1 : 0;
  return n;
}

TEST(ArrivalsTest, APoissonRateGivesItsCount) {
  TrafficConfig traffic;
  traffic.rate = 100;
  Arrivals arrivals(traffic, 1000, 5);
  const std::vector<double> times = all(arrivals);
  // 100,000 expected; a standard deviation of 316.
  EXPECT_NEAR(static_cast<double>(times.size()), 100'000, 1'500);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_LT(times.back(), 1000);
  // Exponential gaps: a share exp(-1) of them longer than the mean gap.
  std::size_t long_gaps = 0;
  for (std::size_t i = 1; i < times.size(); ++i) long_gaps += times[i] - times[i - 1] > 0.01;
  EXPECT_NEAR(static_cast<double>(long_gaps) / static_cast<double>(times.size()), std::exp(-1.0),
              0.01);
}

TEST(ArrivalsTest, UniformArrivalsAreEvenlySpaced) {
  TrafficConfig traffic;
  traffic.rate = 10;
  traffic.arrivals = "uniform";
  Arrivals arrivals(traffic, 2, 1);
  const std::vector<double> times = all(arrivals);
  ASSERT_EQ(times.size(), 19u);  // 0.1 .. 1.9; 2.0 is the horizon
  for (std::size_t i = 0; i < times.size(); ++i)
    EXPECT_DOUBLE_EQ(times[i], static_cast<double>(i + 1) / 10);
}

TEST(ArrivalsTest, PhasesStepAndRampLinearly) {
  TrafficConfig traffic;
  traffic.arrivals = "uniform";
  traffic.phases = {{core::Seconds(100), 10, "step"}, {core::Seconds(100), 30, "linear"}};
  Arrivals arrivals(traffic, 300, 1);
  EXPECT_DOUBLE_EQ(arrivals.rate_at(50), 10);
  EXPECT_DOUBLE_EQ(arrivals.rate_at(150), 20);  // halfway up the ramp
  EXPECT_DOUBLE_EQ(arrivals.rate_at(250), 30);  // the last phase's rate holds
  EXPECT_DOUBLE_EQ(arrivals.expected_count(), 1000 + 2000 + 3000);
  const std::vector<double> times = all(arrivals);
  EXPECT_NEAR(static_cast<double>(count_in(times, 0, 100)), 1000, 1);
  // The ramp's first half carries (10 + 20) / 2 * 50 = 750, its second (20 + 30) / 2 * 50 = 1250.
  EXPECT_NEAR(static_cast<double>(count_in(times, 100, 150)), 750, 1);
  EXPECT_NEAR(static_cast<double>(count_in(times, 150, 200)), 1250, 1);
  EXPECT_NEAR(static_cast<double>(count_in(times, 200, 300)), 3000, 1);
}

TEST(ArrivalsTest, RepeatingPhasesFormACycle) {
  TrafficConfig traffic;
  traffic.repeat = true;
  // A day in four ramps: night 10, morning up to 50, afternoon 50, evening down to 10.
  traffic.phases = {{core::Seconds(6 * 3600), 10, "linear"},
                    {core::Seconds(6 * 3600), 50, "linear"},
                    {core::Seconds(6 * 3600), 50, "step"},
                    {core::Seconds(6 * 3600), 10, "linear"}};
  Arrivals arrivals(traffic, 3 * 86400, 1);
  for (double t : {1000.0, 25000.0, 50000.0, 80000.0})
    EXPECT_DOUBLE_EQ(arrivals.rate_at(t), arrivals.rate_at(t + 86400)) << t;
  EXPECT_DOUBLE_EQ(arrivals.rate_at(0), 10);         // the first ramp starts at the last rate
  EXPECT_DOUBLE_EQ(arrivals.rate_at(9 * 3600), 30);  // halfway up the morning
}

TEST(ArrivalsTest, AQuietPhaseHasNoArrivals) {
  TrafficConfig traffic;
  traffic.phases = {{core::Seconds(10), 50, "step"},
                    {core::Seconds(10), 0, "step"},
                    {core::Seconds(10), 50, "step"}};
  Arrivals arrivals(traffic, 30, 9);
  const std::vector<double> times = all(arrivals);
  EXPECT_EQ(count_in(times, 10, 20), 0u);
  EXPECT_GT(count_in(times, 20, 30), 400u);
}

}  // namespace
}  // namespace sluice::sim
