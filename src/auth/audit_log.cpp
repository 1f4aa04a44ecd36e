#include "auth/audit_log.hpp"

#include "core/clock.hpp"
#include "ops/logger.hpp"
#include "ops/periodic.hpp"

namespace sluice::auth {

AuditLog::AuditLog(store::AuditStore& store, std::size_t max_pending,
                   std::function<int64_t()> now_ms)
    : store_(store),
      max_pending_(max_pending),
      now_ms_(now_ms ? std::move(now_ms) : core::unix_milliseconds) {}

void AuditLog::record(store::AuditEvent event) {
  event.at_ms = now_ms_();
  bool first_drop = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= max_pending_) {
      ++dropped_;
      first_drop = !dropping_;
      dropping_ = true;
    } else {
      pending_.push_back(std::move(event));
      dropping_ = false;
    }
  }
  if (first_drop)
    ops::logger().error("audit events dropped: too many wait for the store",
                        {{"max_pending", static_cast<long long>(max_pending_)}});
}

Status AuditLog::flush() {
  std::vector<store::AuditEvent> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(pending_);
  }
  if (taken.empty()) return Status::success();
  Status appended = store_.append(taken);
  if (!appended) {
    std::lock_guard lock(mutex_);  // the oldest first again, within the bound
    const std::size_t room = max_pending_ > pending_.size() ? max_pending_ - pending_.size() : 0;
    if (taken.size() > room) {
      dropped_ += taken.size() - room;
      taken.resize(room);
    }
    pending_.insert(pending_.begin(), std::make_move_iterator(taken.begin()),
                    std::make_move_iterator(taken.end()));
  }
  return appended;
}

Status AuditLog::prune(std::chrono::milliseconds retention) {
  const int64_t before = now_ms_() - retention.count();
  for (;;) {
    auto deleted = store_.prune(before, kPruneBatch);
    if (!deleted) return deleted.error();
    if (*deleted < kPruneBatch) return Status::success();
  }
}

boost::asio::awaitable<void> AuditLog::run(std::chrono::milliseconds period,
                                           std::chrono::milliseconds retention) {
  constexpr int64_t kPruneEveryMs = 3'600'000;
  ops::FailureStreak flush_failures, prune_failures;
  co_await ops::repeat_blocking(period, [&] {
    flush_failures.report(flush(), "cannot store audit events");
    if (now_ms_() < next_prune_ms_) return;
    next_prune_ms_ = now_ms_() + kPruneEveryMs;
    prune_failures.report(prune(retention), "cannot prune audit events");
  });
}

uint64_t AuditLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace sluice::auth
