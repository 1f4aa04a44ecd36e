#include "sim/report/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::sim {
namespace {

const double kGamma = (1 + QuantileSketch::kRelativeError) / (1 - QuantileSketch::kRelativeError);
const double kLogGamma = std::log(kGamma);

}  // namespace

// Bucket i holds (gamma^(i-1), gamma^i].
int QuantileSketch::index_of(double value) {
  return static_cast<int>(std::ceil(std::log(value) / kLogGamma));
}

// The point of the bucket whose relative distance to either end is kRelativeError.
double QuantileSketch::value_of(int index) { return 2 * std::pow(kGamma, index) / (kGamma + 1); }

void QuantileSketch::add(double value) {
  ++count_;
  sum_ += value;
  max_ = std::max(max_, value);
  if (!(value >= kSmallest)) {
    ++zeros_;
    return;
  }
  const int index = index_of(value);
  if (counts_.empty()) {
    first_index_ = index;
    counts_.push_back(1);
    return;
  }
  if (index < first_index_) {
    counts_.insert(counts_.begin(), static_cast<std::size_t>(first_index_ - index), 0);
    first_index_ = index;
  } else if (index - first_index_ >= static_cast<int>(counts_.size())) {
    counts_.resize(static_cast<std::size_t>(index - first_index_) + 1, 0);
  }
  ++counts_[static_cast<std::size_t>(index - first_index_)];
}

void QuantileSketch::merge(const QuantileSketch& other) {
  count_ += other.count_;
  zeros_ += other.zeros_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  if (other.counts_.empty()) return;
  if (counts_.empty()) {
    first_index_ = other.first_index_;
    counts_ = other.counts_;
    return;
  }
  const int first = std::min(first_index_, other.first_index_);
  const int last = std::max(first_index_ + static_cast<int>(counts_.size()),
                            other.first_index_ + static_cast<int>(other.counts_.size()));
  std::vector<std::uint32_t> merged(static_cast<std::size_t>(last - first), 0);
  for (std::size_t i = 0; i < counts_.size(); ++i)
    merged[static_cast<std::size_t>(first_index_ - first) + i] += counts_[i];
  for (std::size_t i = 0; i < other.counts_.size(); ++i)
    merged[static_cast<std::size_t>(other.first_index_ - first) + i] += other.counts_[i];
  first_index_ = first;
  counts_ = std::move(merged);
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  if (rank <= zeros_) return 0;
  std::uint64_t seen = zeros_;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    // The top bucket's estimate never exceeds the exact maximum.
    if (seen >= rank) return std::min(value_of(first_index_ + static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace sluice::sim
