#include "gateway/routing/canary_window.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::gateway {

CanaryWindow::CanaryWindow(Clock::duration window, bool keep_latency)
    : slice_(std::max(Clock::duration(1), window / kSlices)), keep_latency_(keep_latency) {
  if (keep_latency_) {
    for (Slice& slice : slices_) slice.latencies.assign(kBuckets, 0);
    total_.latencies.assign(kBuckets, 0);
  }
}

int CanaryWindow::bucket_of(double seconds) {
  const double millis = seconds * 1000;
  if (!(millis > 1)) return 0;
  const double b = std::floor(std::log2(millis) * kBucketsPerDoubling);
  return static_cast<int>(std::min(b, static_cast<double>(kBuckets - 1)));
}

double CanaryWindow::bucket_value(int bucket) {
  return std::exp2((bucket + 0.5) / kBucketsPerDoubling) / 1000;
}

std::int64_t CanaryWindow::index_of(Clock::time_point now) {
  const std::int64_t index = now.time_since_epoch() / slice_;
  newest_ = std::max(newest_, index);
  return newest_;
}

void CanaryWindow::expire(std::int64_t index) {
  for (Slice& slice : slices_) {
    if (slice.index < 0 || slice.index > index - kSlices) continue;
    total_.requests -= slice.requests;
    total_.failures -= slice.failures;
    total_.samples -= slice.samples;
    for (std::size_t b = 0; b < slice.latencies.size(); ++b) {
      total_.latencies[b] -= slice.latencies[b];
      slice.latencies[b] = 0;
    }
    slice.index = -1;
    slice.requests = slice.failures = slice.samples = 0;
  }
}

void CanaryWindow::record(Clock::time_point now, bool failed, std::optional<double> latency) {
  const std::int64_t index = index_of(now);
  expire(index);
  Slice& slice = slices_[static_cast<std::size_t>(index % kSlices)];
  slice.index = index;  // expired above when it held an older slice of time
  ++slice.requests;
  ++total_.requests;
  if (failed) {
    ++slice.failures;
    ++total_.failures;
  }
  if (keep_latency_ && latency) {
    const auto b = static_cast<std::size_t>(bucket_of(*latency));
    ++slice.latencies[b];
    ++total_.latencies[b];
    ++slice.samples;
    ++total_.samples;
  }
}

CanaryReading CanaryWindow::read(Clock::time_point now) {
  expire(index_of(now));
  CanaryReading reading;
  reading.requests = total_.requests;
  reading.failures = total_.failures;
  reading.samples = total_.samples;
  if (total_.samples > 0) {
    // Nearest rank: the smallest value with at least 99% of the samples at or below it.
    const auto rank =
        static_cast<std::uint64_t>(std::ceil(0.99 * static_cast<double>(total_.samples)));
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
      seen += total_.latencies[static_cast<std::size_t>(b)];
      if (seen >= rank) {
        reading.p99 = bucket_value(b);
        break;
      }
    }
  }
  return reading;
}

void CanaryWindow::clear() {
  for (Slice& slice : slices_) {
    slice.index = -1;
    slice.requests = slice.failures = slice.samples = 0;
    std::fill(slice.latencies.begin(), slice.latencies.end(), 0);
  }
  total_.requests = total_.failures = total_.samples = 0;
  std::fill(total_.latencies.begin(), total_.latencies.end(), 0);
  newest_ = -1;
}

}  // namespace sluice::gateway
