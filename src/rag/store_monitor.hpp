#pragma once
// The store's readiness and the job queue's gauges, read periodically on the blocking pool and
// served from a cache: /readyz and /metrics never wait on the database from an event loop.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <mutex>

#include "ops/health.hpp"
#include "ops/metrics.hpp"
#include "store/store.hpp"

namespace sluice::rag {

class StoreMonitor {
 public:
  // Registers sluice_jobs{state} and sluice_job_queue_oldest_age_seconds with `registry`; both
  // must outlive the monitor's use.
  StoreMonitor(store::Store& store, ops::Registry& registry);

  // Blocking: reads Store::check() and the job counts into the cache.
  void refresh();
  // Refreshes every `period` on the blocking pool, for as long as its event loop runs.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period);
  // The last check's result, for the `store` readiness check.
  ops::CheckResult readiness() const;

 private:
  void render(std::string& out) const;

  store::Store& store_;
  mutable std::mutex mutex_;
  ops::CheckResult readiness_{false, "not checked yet"};
  store::JobCounts counts_;
  bool has_counts_ = false;
};

}  // namespace sluice::rag
