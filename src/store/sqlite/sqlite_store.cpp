#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/clock.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_audit_store.hpp"
#include "store/sqlite/sqlite_collection_store.hpp"
#include "store/sqlite/sqlite_document_store.hpp"
#include "store/sqlite/sqlite_job_queue.hpp"
#include "store/sqlite/sqlite_key_store.hpp"
#include "store/sqlite/sqlite_session_store.hpp"
#include "store/sqlite/sqlite_usage_store.hpp"

namespace sluice::store {
namespace {

sqlite::ConnectionOptions connection_options(const SqliteOptions& options) {
  sqlite::ConnectionOptions out;
  out.busy_timeout = options.busy_timeout;
  out.durable_commits = options.durable_commits;
  out.on_statement = options.on_statement;
  return out;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<sqlite::Database> db, const SqliteOptions& options)
      : db_(std::move(db)),
        context_{*db_, options.clock ? options.clock : core::unix_milliseconds,
                 options.job_max_attempts},
        collections_(context_),
        documents_(context_),
        jobs_(context_),
        sessions_(context_),
        keys_(context_),
        usage_(context_),
        audit_(context_) {}

  CollectionStore& collections() override { return collections_; }
  DocumentStore& documents() override { return documents_; }
  JobQueue& jobs() override { return jobs_; }
  SessionStore& sessions() override { return sessions_; }
  KeyStore& keys() override { return keys_; }
  UsageStore& usage() override { return usage_; }
  AuditStore& audit() override { return audit_; }
  Status batch(const std::function<void()>& calls) override { return db_->batch(calls); }

  Status check() override {
    return db_->read([](sqlite::Connection& connection) -> Status {
      const int version = connection.user_version();
      if (version == sqlite::latest_schema_version()) return Status::success();
      return make_error(Errc::unavailable, "schema version " + std::to_string(version) +
                                               ", expected " +
                                               std::to_string(sqlite::latest_schema_version()));
    });
  }

  int schema_version() override {
    auto version = db_->read(
        [](sqlite::Connection& connection) -> Result<int> { return connection.user_version(); });
    return version ? *version : -1;
  }

 private:
  std::unique_ptr<sqlite::Database> db_;
  sqlite::Context context_;
  sqlite::SqliteCollectionStore collections_;
  sqlite::SqliteDocumentStore documents_;
  sqlite::SqliteJobQueue jobs_;
  sqlite::SqliteSessionStore sessions_;
  sqlite::SqliteKeyStore keys_;
  sqlite::SqliteUsageStore usage_;
  sqlite::SqliteAuditStore audit_;
};

}  // namespace

std::string sqlite_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "sluice.db").string();
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir,
                                                 SqliteOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return make_error(Errc::unavailable,
                      "cannot create the data directory '" + data_dir + "': " + ec.message());
  if (!options.clock) options.clock = core::unix_milliseconds;
  options.job_max_attempts = std::max(options.job_max_attempts, 1);
  try {
    auto db = std::make_unique<sqlite::Database>(sqlite_path(data_dir), options.reader_connections,
                                                 connection_options(options));
    const Status migrated = db->with_writer([&](sqlite::Connection& connection) {
      return sqlite::migrate(connection, sqlite::schema_migrations(), options.clock());
    });
    if (!migrated) return migrated.error();
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(db), options));
  } catch (const sqlite::SqliteError& e) {
    return e.error();
  }
}

Result<int> probe_sqlite_store(const std::string& data_dir) {
  const std::string path = sqlite_path(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  try {
    // A -wal file means a process has the database open (or was killed with it open): read
    // through the WAL, whose files exist already. Otherwise open it immutable, which creates
    // no -wal or -shm file: check writes nothing.
    sqlite::ConnectionOptions options;
    options.read_only = true;
    options.immutable = !std::filesystem::exists(path + "-wal", ec);
    sqlite::Connection connection(path, options);
    const int version = connection.user_version();
    if (Status current = sqlite::check_schema_version(version, sqlite::latest_schema_version());
        !current)
      return current.error();
    return version;
  } catch (const sqlite::SqliteError& e) {
    return e.error();
  }
}

}  // namespace sluice::store
