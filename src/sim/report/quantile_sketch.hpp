#pragma once
// Percentiles in bounded memory: values fall into logarithmic buckets (as DDSketch does), each
// spanning a factor of (1 + a) / (1 - a) with a = 0.5%, so a reported quantile is within 0.5%
// (relative) of the exact sample quantile, whatever the number of samples: an hour at 500
// requests per second needs a few kilobytes per series, not 1.8 million samples. Count, sum
// (hence the mean), min and max are exact.

#include <cstdint>
#include <vector>

namespace sluice::sim {

class QuantileSketch {
 public:
  static constexpr double kRelativeError = 0.005;
  // Values below this (a microsecond, as seconds) count as 0: an immediate admission, say.
  static constexpr double kSmallest = 1e-6;

  void add(double value);
  void merge(const QuantileSketch& other);

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }
  double max() const { return max_; }
  // The nearest-rank q-quantile (the ceil(q * count)-th smallest value), within
  // kRelativeError; 0 when empty.
  double quantile(double q) const;

 private:
  static int index_of(double value);
  static double value_of(int index);

  std::uint64_t count_ = 0;
  std::uint64_t zeros_ = 0;  // values below kSmallest
  double sum_ = 0;
  double max_ = 0;
  int first_index_ = 0;                // of counts_[0]
  std::vector<std::uint32_t> counts_;  // dense from first_index_
};

}  // namespace sluice::sim
