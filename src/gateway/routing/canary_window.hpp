#pragma once
// The outcomes of one version of a canaried alias over a sliding window of time, in bounded
// memory: the window is cut into kSlices slices, each holding its requests, failures and (when
// the rule reads a latency) a histogram of the latencies; a slice is dropped whole once it is a
// window old. So the window holds the last `window` to within one slice (a tenth of it).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::gateway {

// What a window holds now.
struct CanaryReading {
  std::uint64_t requests = 0;  // finished requests that count (see CanarySample)
  std::uint64_t failures = 0;
  std::uint64_t samples = 0;  // of the latency the window keeps: requests with a value
  std::optional<double> p99;  // seconds; none without samples (or without a latency kept)

  double error_rate() const {
    return requests > 0 ? static_cast<double>(failures) / static_cast<double>(requests) : 0;
  }
};

class CanaryWindow {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kSlices = 10;
  // Latency buckets: 8 per doubling from 1 ms, up to 2^21 ms (35 minutes; longer values count
  // there). A quantile is read as its bucket's geometric middle: within 4.5% of the value.
  static constexpr int kBucketsPerDoubling = 8;
  static constexpr int kBuckets = 21 * kBucketsPerDoubling;

  // `keep_latency`: whether record()'s latency values are kept (for a p99).
  CanaryWindow(Clock::duration window, bool keep_latency);

  // One request that ended at `now`; `latency` (seconds) when it has the value the rule reads.
  // Times before the newest one recorded count as the newest (threads race to the lock).
  void record(Clock::time_point now, bool failed, std::optional<double> latency);
  // The window ending at `now`.
  CanaryReading read(Clock::time_point now);
  void clear();

  // The bucket of `seconds`, and the value a bucket stands for (its geometric middle).
  static int bucket_of(double seconds);
  static double bucket_value(int bucket);

 private:
  struct Slice {
    std::int64_t index = -1;  // which slice of time it holds; -1: none
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    std::uint64_t samples = 0;
    std::vector<std::uint32_t> latencies;  // kBuckets counts when latencies are kept
  };
  // Drops the slices that are a window old at slice `index`.
  void expire(std::int64_t index);
  std::int64_t index_of(Clock::time_point now);

  const Clock::duration slice_;
  const bool keep_latency_;
  std::array<Slice, kSlices> slices_;
  Slice total_;  // the sum of the live slices
  std::int64_t newest_ = -1;
};

}  // namespace sluice::gateway
