#pragma once
// The store's readiness and the job queue's gauges, read periodically on the blocking pool and
// served from a cache: /readyz and /metrics never wait on the database from an event loop.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "ops/health.hpp"
#include "ops/metrics.hpp"
#include "store/store.hpp"

namespace sluice::rag {

struct StoreMonitorOptions {
  // Finished (succeeded, cancelled) jobs older than this are deleted, a bounded batch at a time.
  std::chrono::milliseconds job_retention{std::chrono::hours(24 * 7)};
  // Tombstones of removed documents older than this are deleted likewise: an index snapshot or
  // a replica further behind then rebuilds from the store instead of catching up.
  std::chrono::milliseconds tombstone_retention{std::chrono::hours(24 * 7)};
  std::function<int64_t()> now_ms;  // milliseconds since the Unix epoch; empty = the system clock
};

class StoreMonitor {
 public:
  // Registers sluice_jobs{state} and sluice_job_queue_oldest_age_seconds with `registry`; both
  // must outlive the monitor's use.
  StoreMonitor(store::Store& store, ops::Registry& registry, StoreMonitorOptions options = {});

  static constexpr int kPruneBatch = 1000;
  static constexpr int64_t kPruneEveryMs = 60'000;

  // Blocking: reads Store::check() and the job counts into the cache; deletes a batch of expired
  // finished jobs and one of expired tombstones when due (each minute, or at once after a full
  // batch).
  void refresh();
  // Refreshes every `period` on the blocking pool, for as long as its event loop runs.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period);
  // The last check's result, for the `store` readiness check.
  ops::CheckResult readiness() const;

 private:
  void render(ops::MetricSink& out) const;
  void prune_expired();

  store::Store& store_;
  StoreMonitorOptions options_;
  int64_t next_prune_ms_ = 0;  // touched by refresh() only, one call at a time
  mutable std::mutex mutex_;
  ops::CheckResult readiness_{false, "not checked yet"};
  store::JobCounts counts_;
  bool has_counts_ = false;
};

}  // namespace sluice::rag
