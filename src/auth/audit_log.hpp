#pragma once
// The audit log: admin actions and refused requests, gathered in memory as they happen and
// appended to the store every period, then pruned after a retention. A request never waits on
// the database, and a flood of refused requests costs a bounded queue, not memory without end.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "store/audit_store.hpp"

namespace sluice::auth {

class AuditLog {
 public:
  // `store` must outlive the log. Beyond `max_pending` events waiting for a flush, events are
  // counted in dropped() (and the first of a streak logged), never held.
  explicit AuditLog(store::AuditStore& store, std::size_t max_pending = 10000,
                    std::function<int64_t()> now_ms = {});

  // Queues `event`, its time set now. Thread-safe; never blocks on the store.
  void record(store::AuditEvent event);

  // Blocking: appends the queued events in one commit; on failure they stay queued (within the
  // bound) for the next flush.
  Status flush();
  // Blocking: deletes events older than `retention`, a batch of kPruneBatch at a time, until none
  // is left or a batch fails.
  Status prune(std::chrono::milliseconds retention);
  static constexpr int kPruneBatch = 1000;

  // flush() every `period`, and prune() every hour, on the blocking pool, for as long as its
  // event loop runs.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period,
                                   std::chrono::milliseconds retention);

  uint64_t dropped() const;

 private:
  store::AuditStore& store_;
  const std::size_t max_pending_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex mutex_;
  std::vector<store::AuditEvent> pending_;
  uint64_t dropped_ = 0;
  bool dropping_ = false;  // in a streak of drops: logged once
  int64_t next_prune_ms_ = 0;
};

}  // namespace sluice::auth
