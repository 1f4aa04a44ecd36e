#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_error.hpp"

namespace sluice::store::sqlite {

// One database file behind exactly one writer connection (SQLite allows one writer at a time;
// queueing on our mutex is cheaper and fairer than spinning on SQLITE_BUSY) and a bounded pool of
// reader connections, which WAL lets read alongside the writer on their own snapshots. The WAL is
// checkpointed in the background (Checkpointer).
class Database {
 public:
  // Opens (creating the file when missing) the writer and `readers` reader connections.
  // Throws SqliteError.
  Database(const std::string& path, int readers, const ConnectionOptions& options);

  // Runs f(Connection&) -> Result<T> | Status in a write transaction: its changes commit when f
  // succeeds and are rolled back when it returns an error or SQLite fails; returns once they
  // are committed (or not). Writes that arrive while another commits wait, then commit together
  // (group commit), each in a savepoint of its own: a commit writes every page it changed to
  // the WAL, and consecutive writes share most of their pages (the same index leaves, the same
  // collection row), so one commit for several costs little more than one for each.
  // Inside batch(), or inside another write's f, f runs in a savepoint of that transaction.
  template <class F>
  auto write(F&& f) -> std::invoke_result_t<F&, Connection&> {
    using R = std::invoke_result_t<F&, Connection&>;
    if (writing_thread_.load() == std::this_thread::get_id()) return in_savepoint(*writer_, f);
    std::optional<R> out;
    PendingWrite pending([&](Connection& connection) {
      out.emplace(f(connection));
      return static_cast<bool>(*out);
    });
    commit_in_group(pending);
    if (pending.exception) std::rethrow_exception(pending.exception);
    if (!pending.status) return pending.status.error();
    return std::move(*out);
  }

  // Runs `calls` (on the thread that leads its commit) so that every write() it makes commits in
  // one transaction at its end, each in a savepoint (a write that fails undoes only its own
  // changes). The writer is held throughout: only store calls belong inside. Inside, a write's
  // success is provisional: an error from batch means none of them took effect.
  Status batch(const std::function<void()>& calls);

  // Writes waiting for the next group commit.
  std::size_t queued_writes();

  // Runs f(Connection&) on a reader, in a read transaction so that its queries see one snapshot.
  // Waits while every reader is busy.
  template <class F>
  auto read(F&& f) -> std::invoke_result_t<F&, Connection&> {
    ReaderLease reader(*this);
    return in_transaction(reader.connection(), "BEGIN", f);
  }

  // The writer, for work outside a transaction of ours (migrations). Caller holds no other lock.
  template <class F>
  auto with_writer(F&& f) {
    std::lock_guard lock(writer_mutex_);
    return f(*writer_);
  }

 private:
  class ReaderLease {
   public:
    explicit ReaderLease(Database& db);
    ~ReaderLease();
    Connection& connection() { return *connection_; }

   private:
    Database& db_;
    std::unique_ptr<Connection> connection_;
  };

  template <class F>
  static auto in_savepoint(Connection& connection, F& f) -> std::invoke_result_t<F&, Connection&> {
    try {
      Savepoint savepoint(connection);
      auto result = f(connection);
      if (result) savepoint.release();
      return result;
    } catch (const SqliteError& e) {
      return e.error();
    }
  }

  template <class F>
  static auto in_transaction(Connection& connection, const char* begin, F& f)
      -> std::invoke_result_t<F&, Connection&> {
    try {
      Transaction transaction(connection, begin);
      auto result = f(connection);
      if (result) transaction.commit();
      return result;
    } catch (const SqliteError& e) {
      return e.error();
    }
  }

  // One write waiting for (or in) a group commit.
  struct PendingWrite {
    explicit PendingWrite(std::function<bool(Connection&)> run) : run(std::move(run)) {}
    std::function<bool(Connection&)> run;  // false: f returned an error, undo its changes
    Status status;                         // the group's commit, or how SQLite failed f
    std::exception_ptr exception;          // anything else f threw
    bool done = false;
  };
  static constexpr std::size_t kMaxGroup = 64;

  // Queues `pending`; a waiter finds its write committed by another, or leads the next group.
  void commit_in_group(PendingWrite& pending);
  // The leader's part: the group in one transaction, on the writer.
  void commit_group(const std::vector<PendingWrite*>& group);

  std::mutex group_mutex_;
  std::condition_variable group_done_;
  std::vector<PendingWrite*> queued_;
  bool leading_ = false;

  std::mutex writer_mutex_;
  std::atomic<std::thread::id> writing_thread_;  // the thread running writes in a transaction
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;  // declared after writer_: stops before it closes
  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace sluice::store::sqlite
