#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/sqlite/statement.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::store::sqlite {

struct ConnectionOptions {
  bool read_only = false;
  // Read-only and promised that no one writes the file meanwhile: no -wal or -shm file is
  // created. Only for a database no process has open.
  bool immutable = false;
  bool create = false;  // create the file when missing (read-write only)
  std::chrono::milliseconds busy_timeout{5000};
  bool durable_commits = false;  // synchronous=FULL instead of NORMAL
  // Called when a statement is reset, with its SQL and the virtual-machine steps it took: how
  // tests prove that a query's cost does not grow with the table. Empty in production.
  StatementObserver on_statement;
};

// One SQLite connection with its pragmas set and its prepared statements cached by SQL text.
// Not thread-safe: one thread at a time (the Database hands connections out).
class Connection {
 public:
  // Throws SqliteError when the file cannot be opened.
  Connection(const std::string& path, const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // The cached statement for `sql` (one statement), prepared on first use. A statement is not
  // reentrant: using the same SQL again while it is still stepping is a bug and throws.
  Statement prepare(const std::string& sql);
  // Runs `sql` (any number of statements, no parameters), uncached: DDL, transactions.
  void exec(const char* sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;
  // Whether a transaction is open (BEGIN without its COMMIT or ROLLBACK yet).
  bool in_transaction() const;
  int64_t last_insert_rowid() const;
  // PRAGMA user_version: the schema version.
  int user_version();
  // Copies committed WAL frames into the database file without waiting for anyone (PASSIVE).
  void checkpoint();
  // Called after each commit with the WAL's size in pages. Setting one turns off SQLite's own
  // automatic checkpoint, which would otherwise run inside the committing call (fsyncs
  // included); empty = no hook and no automatic checkpoint.
  void on_commit(std::function<void(int wal_pages)> hook);

 private:
  void configure(const ConnectionOptions& options);

  sqlite3* db_ = nullptr;
  std::function<void(int)> commit_hook_;
  StatementObserver on_statement_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// BEGIN on construction; ROLLBACK on destruction unless committed.
class Transaction {
 public:
  Transaction(Connection& connection, const char* begin);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

// SAVEPOINT on construction, inside the connection's open transaction (throws SqliteError when
// there is none: SQLite rolled it back after a failure, and a savepoint would silently start a
// new one); rolled back to and released on destruction unless released.
class Savepoint {
 public:
  explicit Savepoint(Connection& connection);
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();
  void release();

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace sluice::store::sqlite
