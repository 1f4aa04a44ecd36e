#include "store/sqlite/checkpointer.hpp"

#include <chrono>

#include "store/sqlite/sqlite_error.hpp"

namespace sluice::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, const ConnectionOptions& options,
                           Connection& writer)
    : writer_(writer), connection_(std::make_unique<Connection>(path, options)) {
  thread_ = std::thread([this] { run(); });
  writer_.on_commit([this](int wal_pages) { committed(wal_pages); });
}

Checkpointer::~Checkpointer() {
  writer_.on_commit(nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::committed(int wal_pages) {
  // Past kWakePages, the frames committed while the background checkpoint ran are copied here,
  // where no commit can add more: the WAL is then whole in the database and the next write
  // starts it over instead of growing it (a PASSIVE checkpoint alone never catches up with a
  // steady writer). A small WAL is left for the background: this costs the commit two fsyncs.
  const bool tail_due = tail_due_.exchange(false);
  // The WAL is in the database (but for frames a reader still held back): nothing for the
  // background to do.
  bool whole = false;
  if (wal_pages >= kInlinePages || (tail_due && wal_pages >= kWakePages)) {
    try {
      writer_.checkpoint();
      whole = true;
    } catch (const SqliteError&) {
      // The commit itself succeeded; the background thread tries again.
    }
  }
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = !whole && wal_pages >= kWakePages && wal_pages_ < kWakePages;
    // When the next write cannot start the WAL over (a reader still uses it), its commit wakes
    // the background again.
    wal_pages_ = whole ? 0 : wal_pages;
  }
  if (wake) wake_.notify_one();
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, std::chrono::seconds(1),
                   [this] { return stop_ || wal_pages_ >= kWakePages; });
    if (stop_) return;
    if (wal_pages_ == 0) continue;
    wal_pages_ = 0;
    lock.unlock();
    bool done = false;
    try {
      connection_->checkpoint();
      done = true;
    } catch (const SqliteError&) {
      // Busy or failing now: the next commit or tick retries.
    }
    lock.lock();
    // A large WAL's rest is the next commit's (not another pass here, which would race it).
    if (done && wal_pages_ >= kWakePages) {
      tail_due_ = true;
      wal_pages_ = 0;
    }
  }
}

}  // namespace sluice::store::sqlite
