// The scenario's random variables: sample means and quantiles against their closed forms.
#include "sim/scenario/distribution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace sluice::sim {
namespace {

constexpr int kSamples = 200'000;

struct Sampled {
  std::vector<double> values;
  double mean = 0;
  double quantile(double p) const {
    return values[static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1];
  }
};

Sampled draw(const Distribution& d, std::uint64_t seed = 42) {
  Random random(seed);
  Sampled s;
  s.values.reserve(kSamples);
  for (int i = 0; i < kSamples; ++i) s.values.push_back(d.sample(random));
  for (double v : s.values) s.mean += v;
  s.mean /= kSamples;
  std::sort(s.values.begin(), s.values.end());
  return s;
}

void expect_close(double actual, double expected, double relative, const char* what) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * relative) << what;
}

TEST(DistributionTest, ConstantIsAlwaysItsValue) {
  const Sampled s = draw(Distribution::constant(0.25));
  EXPECT_EQ(s.values.front(), 0.25);
  EXPECT_EQ(s.values.back(), 0.25);
  EXPECT_EQ(Distribution::constant(0.25).second_moment(), 0.0625);
}

TEST(DistributionTest, ExponentialMatchesItsMeanAndQuantiles) {
  const Distribution d = Distribution::exponential(0.4);
  const Sampled s = draw(d);
  expect_close(s.mean, 0.4, 0.01, "mean");
  for (double p : {0.5, 0.9, 0.99}) expect_close(s.quantile(p), d.quantile(p), 0.02, "quantile");
  expect_close(d.quantile(0.5), 0.4 * std::log(2.0), 1e-12, "median formula");
  EXPECT_DOUBLE_EQ(d.second_moment(), 2 * 0.4 * 0.4);
}

TEST(DistributionTest, UniformMatchesItsMeanAndQuantiles) {
  const Distribution d = Distribution::uniform(100, 900);
  const Sampled s = draw(d);
  expect_close(s.mean, 500, 0.01, "mean");
  for (double p : {0.1, 0.5, 0.9}) expect_close(s.quantile(p), 100 + 800 * p, 0.01, "quantile");
  EXPECT_GE(s.values.front(), 100);
  EXPECT_LT(s.values.back(), 900);
}

TEST(DistributionTest, LognormalHasTheGivenMedianAndP99) {
  const Distribution d = Distribution::lognormal(0.4, 2.0);
  const Sampled s = draw(d);
  expect_close(s.quantile(0.5), 0.4, 0.02, "median");
  expect_close(s.quantile(0.99), 2.0, 0.03, "p99");
  expect_close(d.quantile(0.99), 2.0, 1e-8, "p99 formula");
  expect_close(s.mean, d.mean(), 0.02, "mean");
  // E[X^2] = exp(2 mu + 2 sigma^2), the moment Pollaczek-Khinchine needs.
  double square = 0;
  for (double v : s.values) square += v * v;
  expect_close(square / kSamples, d.second_moment(), 0.05, "second moment");
}

TEST(DistributionTest, NormalQuantileMatchesTables) {
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-9);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-8);
  EXPECT_NEAR(normal_quantile(0.99), 2.3263478740408408, 1e-8);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167814, 1e-8);
  EXPECT_NEAR(normal_quantile(0.01), -2.3263478740408408, 1e-8);
}

TEST(DistributionTest, KindsParseByName) {
  EXPECT_EQ(parse_distribution_kind("lognormal"), Distribution::Kind::lognormal);
  EXPECT_EQ(parse_distribution_kind("gaussian"), std::nullopt);
  EXPECT_EQ(to_string(Distribution::Kind::uniform), "uniform");
}

TEST(RandomTest, ASeedReplaysAndStreamsDiffer) {
  Random a(7);
  Random b(7);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.next(), b.next());
  EXPECT_NE(derive_seed(1, "arrivals"), derive_seed(1, "mix"));
  EXPECT_NE(derive_seed(1, "replica", 0), derive_seed(1, "replica", 1));
  EXPECT_NE(derive_seed(1, "arrivals"), derive_seed(2, "arrivals"));
  EXPECT_EQ(derive_seed(1, "arrivals"), derive_seed(1, "arrivals"));
  Random c(7);
  double lowest = 1;
  double highest = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double u = c.uniform();
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
    ASSERT_GE(u, 0);
    ASSERT_LT(u, 1);
  }
  EXPECT_LT(lowest, 0.001);
  EXPECT_GT(highest, 0.999);
}

}  // namespace
}  // namespace sluice::sim
