#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/connection.hpp"

namespace sluice::store::sqlite {

// Checkpoints the WAL on a thread of its own, so that commits never pay for it. SQLite's
// automatic checkpoint runs inside the commit that crosses its threshold and fsyncs the WAL and
// the database there: measured on 10 KB uploads, 7-11 MB/s with it, 28 MB/s without. Woken by
// the writer once the WAL holds kWakePages, and every second while anything was committed. Past
// kWakePages, the first commit after a background checkpoint copies the few frames committed
// meanwhile, so that the WAL starts over rather than grows under a steady writer (measured on
// the PostgreSQL manual's ingest: 10% fewer bytes written, the WAL's peak 40-65 MB instead of
// 125). A writer that outruns it checkpoints inline past kInlinePages, so the WAL stays bounded.
class Checkpointer {
 public:
  static constexpr int kWakePages = 4000;     // ~16 MB; 1000 (SQLite's) halved the gain
  static constexpr int kInlinePages = 50000;  // ~200 MB: back-pressure on the writer

  // Opens its own connection to `path` and hooks `writer`'s commits; `writer` must outlive it.
  Checkpointer(const std::string& path, const ConnectionOptions& options, Connection& writer);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  // Unhooks the writer and stops the thread.
  ~Checkpointer();

 private:
  void committed(int wal_pages);
  void run();

  Connection& writer_;
  std::unique_ptr<Connection> connection_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  int wal_pages_ = 0;  // as of the last commit
  // A background checkpoint finished: the writer copies the frames committed meanwhile at its
  // next commit, so that the WAL is whole in the database and the next write can start it over.
  std::atomic<bool> tail_due_{false};
  std::thread thread_;
};

}  // namespace sluice::store::sqlite
