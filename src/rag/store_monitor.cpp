#include "rag/store_monitor.hpp"

#include "core/clock.hpp"
#include "ops/logger.hpp"
#include "ops/periodic.hpp"

namespace sluice::rag {

StoreMonitor::StoreMonitor(store::Store& store, ops::Registry& registry,
                           StoreMonitorOptions options)
    : store_(store), options_(std::move(options)) {
  registry.add_collector([this](ops::MetricSink& out) { render(out); });
}

namespace {

// Logs a pruning's outcome; true when it deleted a full batch (more may be due).
bool logged(const Result<int64_t>& pruned, const char* what, int batch) {
  if (!pruned) {
    ops::logger().warn(std::string("cannot delete expired ") + what,
                       {{"error", pruned.error().message}});
    return false;
  }
  if (*pruned > 0)
    ops::logger().info(std::string("expired ") + what + " deleted",
                       {{what, static_cast<int>(*pruned)}});
  return *pruned == batch;
}

}  // namespace

void StoreMonitor::prune_expired() {
  const int64_t now = options_.now_ms ? options_.now_ms() : core::unix_milliseconds();
  if (now < next_prune_ms_) return;
  const bool more_jobs =
      logged(store_.jobs().prune_finished(now - options_.job_retention.count(), kPruneBatch),
             "jobs", kPruneBatch);
  const bool more_tombstones = logged(
      store_.documents().prune_tombstones(now - options_.tombstone_retention.count(), kPruneBatch),
      "tombstones", kPruneBatch);
  next_prune_ms_ = more_jobs || more_tombstones ? now : now + kPruneEveryMs;
}

void StoreMonitor::refresh() {
  prune_expired();
  const Status status = store_.check();
  auto counts = store_.jobs().counts();
  std::lock_guard lock(mutex_);
  readiness_ =
      status ? ops::CheckResult{true, {}} : ops::CheckResult{false, status.error().message};
  if (counts) {
    counts_ = *counts;
    has_counts_ = true;
  }
}

boost::asio::awaitable<void> StoreMonitor::run(std::chrono::milliseconds period) {
  co_await ops::repeat_blocking(period, [this] { refresh(); });
}

ops::CheckResult StoreMonitor::readiness() const {
  std::lock_guard lock(mutex_);
  return readiness_;
}

void StoreMonitor::render(ops::MetricSink& out) const {
  std::lock_guard lock(mutex_);
  if (!has_counts_) return;
  ops::write_family_header(out, "sluice_jobs", "Ingest jobs in the store, by state.", "gauge");
  const std::pair<std::string_view, int64_t> states[] = {{"queued", counts_.queued},
                                                         {"running", counts_.running},
                                                         {"succeeded", counts_.succeeded},
                                                         {"dead", counts_.dead},
                                                         {"cancelled", counts_.cancelled}};
  for (const auto& [state, n] : states)
    ops::write_sample(out, "sluice_jobs", {{"state", state}}, static_cast<double>(n));
  ops::write_family_header(out, "sluice_job_queue_oldest_age_seconds",
                           "How long the oldest runnable queued job has waited.", "gauge");
  ops::write_sample(out, "sluice_job_queue_oldest_age_seconds", {},
                    static_cast<double>(counts_.oldest_queued_age_ms) / 1000.0);
}

}  // namespace sluice::rag
