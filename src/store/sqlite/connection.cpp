#include "store/sqlite/connection.hpp"

#include <sqlite3.h>

#include "store/sqlite/sqlite_error.hpp"

namespace sluice::store::sqlite {

namespace {

// file: URI of `path` with `?immutable=1`; %, ? and # in the path are escaped.
std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%')
      uri += "%25";
    else if (c == '?')
      uri += "%3f";
    else if (c == '#')
      uri += "%23";
    else
      uri += c;
  }
  return uri + "?immutable=1";
}

}  // namespace

Connection::Connection(const std::string& path, const ConnectionOptions& options)
    : on_statement_(options.on_statement) {
  int flags = SQLITE_OPEN_NOMUTEX;  // one thread at a time: the Database's pool guarantees it
  const bool read_only = options.read_only || options.immutable;
  flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !read_only) flags |= SQLITE_OPEN_CREATE;
  if (options.immutable) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(options.immutable ? immutable_uri(path).c_str() : path.c_str(),
                                 &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string detail = db_ ? sqlite3_errmsg(db_) : path;
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw_sqlite_error(rc, ("open " + path).c_str(), detail.c_str());
  }
  try {
    configure(options);
  } catch (const SqliteError&) {
    sqlite3_close_v2(db_);  // the destructor does not run for a constructor that throws
    throw;
  }
}

void Connection::configure(const ConnectionOptions& options) {
  sqlite3_extended_result_codes(db_, 1);
  // Waits for another process' writer (sluice worker beside sluice serve) instead of failing.
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  exec("PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
  if (options.read_only || options.immutable) return;
  // WAL: readers never block the writer nor each other. synchronous=NORMAL in WAL mode writes
  // each commit into the WAL with write(2) before COMMIT returns and fsyncs at checkpoints: a
  // committed upload (answered 202) survives the process being killed, SIGKILL included,
  // because the kernel holds its pages; only a power loss or kernel crash can roll back the
  // last commits (never corrupt the file). FULL adds an fsync per commit, milliseconds each, for
  // that stronger promise: durable_commits selects it.
  exec("PRAGMA journal_mode=WAL;");
  exec(options.durable_commits ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
  // Keeps the WAL file from staying at its peak size after a large ingest.
  exec("PRAGMA journal_size_limit=67108864;");
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(rc, "prepare", sqlite3_errmsg(db_));
    it = statements_.emplace(sql, stmt).first;
  } else if (sqlite3_stmt_busy(it->second)) {
    throw SqliteError(Errc::internal, "sqlite: statement reused while still stepping: " + sql);
  }
  return Statement(it->second, &on_statement_);
}

void Connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string detail = message ? message : "";
    sqlite3_free(message);
    throw_sqlite_error(sqlite3_extended_errcode(db_), "exec", detail.c_str());
  }
}

int64_t Connection::changes() const { return sqlite3_changes64(db_); }

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Connection::user_version() {
  Statement statement = prepare("PRAGMA user_version");
  return statement.step() ? statement.int32(0) : 0;
}

void Connection::checkpoint() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(rc, "checkpoint", sqlite3_errmsg(db_));
}

void Connection::on_commit(std::function<void(int wal_pages)> hook) {
  commit_hook_ = std::move(hook);
  // sqlite3_wal_hook replaces the automatic checkpoint's own hook.
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        auto& hook = static_cast<Connection*>(self)->commit_hook_;
        if (hook) hook(pages);
        return SQLITE_OK;
      },
      this);
}

// BEGIN, COMMIT and ROLLBACK run as cached statements: every read and write has them, and
// parsing them each time was a visible part of a point lookup.
Transaction::Transaction(Connection& connection, const char* begin) : connection_(connection) {
  connection_.prepare(begin).run();
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    connection_.prepare("ROLLBACK").run();
  } catch (const SqliteError&) {
    // Already rolled back by SQLite itself (after an I/O error, say): nothing left to undo.
  }
}

void Transaction::commit() {
  connection_.prepare("COMMIT").run();
  open_ = false;
}

Savepoint::Savepoint(Connection& connection) : connection_(connection) {
  if (!connection_.in_transaction())
    throw SqliteError(Errc::unavailable, "sqlite: the transaction was rolled back");
  connection_.prepare("SAVEPOINT store_write").run();
}

Savepoint::~Savepoint() {
  if (!open_) return;
  try {
    connection_.prepare("ROLLBACK TO store_write").run();
    connection_.prepare("RELEASE store_write").run();
  } catch (const SqliteError&) {
    // The transaction itself is gone: nothing left to undo, and its commit will fail.
  }
}

void Savepoint::release() {
  connection_.prepare("RELEASE store_write").run();
  open_ = false;
}

}  // namespace sluice::store::sqlite
