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
  if (wal_pages >= kInlinePages) {
    try {
      writer_.checkpoint();
    } catch (const SqliteError&) {
      // The commit itself succeeded; the background thread tries again.
    }
  }
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = wal_pages >= kWakePages && wal_pages_ < kWakePages;
    wal_pages_ = wal_pages;
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
    try {
      connection_->checkpoint();
    } catch (const SqliteError&) {
      // Busy or failing now: the next commit or tick retries.
    }
    lock.lock();
  }
}

}  // namespace sluice::store::sqlite
