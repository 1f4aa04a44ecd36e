#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "store/store.hpp"

namespace sluice::store {

struct SqliteOptions {
  int reader_connections = 4;                    // the read pool's bound; callers beyond it wait
  std::chrono::milliseconds busy_timeout{5000};  // waiting on another process' writer
  // synchronous=FULL: a committed upload also survives power loss, at an fsync per commit.
  bool durable_commits = false;
  int job_max_attempts = 5;
  // Milliseconds since the Unix epoch for the timestamps the store records; empty = the system
  // clock. Tests inject theirs.
  std::function<int64_t()> clock;
  // Tests: every statement's SQL and virtual-machine steps (see sqlite::ConnectionOptions).
  std::function<void(std::string_view sql, int64_t vm_steps)> on_statement;
};

// The database file inside a data directory.
std::string sqlite_path(const std::string& data_dir);

// Opens (creating the directory and the file when missing) the store in `data_dir` and applies
// pending migrations. unavailable when the database is newer than this binary.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir,
                                                 SqliteOptions options = {});

// For `sluice check`: without creating or migrating anything, whether the database in `data_dir`
// (absent is fine) can be opened and its schema is current or migratable. Returns its version
// (0 = absent or empty).
Result<int> probe_sqlite_store(const std::string& data_dir);

}  // namespace sluice::store
