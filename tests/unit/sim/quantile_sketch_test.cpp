// Percentiles in bounded memory, within their stated error of the exact ones.
#include "sim/report/quantile_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/scenario/distribution.hpp"

namespace sluice::sim {
namespace {

double exact(const std::vector<double>& sorted, double q) {
  const auto rank = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

TEST(QuantileSketchTest, QuantilesAreWithinTheStatedRelativeError) {
  Random random(3);
  const Distribution latency = Distribution::lognormal(0.05, 3.0);
  QuantileSketch sketch;
  std::vector<double> values;
  for (int i = 0; i < 100'000; ++i) {
    const double v = latency.sample(random);
    values.push_back(v);
    sketch.add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double truth = exact(values, q);
    EXPECT_NEAR(sketch.quantile(q), truth, truth * (QuantileSketch::kRelativeError + 1e-12))
        << "q=" << q;
  }
  EXPECT_EQ(sketch.count(), values.size());
  EXPECT_DOUBLE_EQ(sketch.max(), values.back());
}

TEST(QuantileSketchTest, ZerosCountAndSketchesMerge) {
  QuantileSketch a;
  QuantileSketch b;
  for (int i = 0; i < 90; ++i) a.add(0);
  for (int i = 0; i < 10; ++i) b.add(2.0);
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.quantile(0.9), 0);
  EXPECT_NEAR(a.quantile(0.91), 2.0, 2.0 * QuantileSketch::kRelativeError);
  EXPECT_DOUBLE_EQ(a.mean(), 0.2);
  EXPECT_EQ(QuantileSketch().quantile(0.5), 0);
}

}  // namespace
}  // namespace sluice::sim
