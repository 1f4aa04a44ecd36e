#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
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

  // Runs f(Connection&) -> Result<T> | Status in a write transaction (BEGIN IMMEDIATE): committed
  // when f succeeds, rolled back when it returns an error or SQLite fails.
  template <class F>
  auto write(F&& f) -> std::invoke_result_t<F&, Connection&> {
    std::lock_guard lock(writer_mutex_);
    return in_transaction(*writer_, "BEGIN IMMEDIATE", f);
  }

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

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;  // declared after writer_: stops before it closes
  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace sluice::store::sqlite
