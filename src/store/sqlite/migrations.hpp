#pragma once

#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"

namespace sluice::store::sqlite {

// One numbered schema step. Steps are applied in order, each in its own transaction with its row
// in schema_migrations and PRAGMA user_version set to its number, so a crash mid-migration
// leaves the database at the previous version, never between two.
struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// The steps this binary knows; the last one's version is the schema it reads and writes.
std::span<const Migration> schema_migrations();
int latest_schema_version();

// Brings the database up to the last of `steps`. An error (unavailable) when the database is
// newer than the steps know: an older binary must not write a schema it does not understand.
Status migrate(Connection& connection, std::span<const Migration> steps, int64_t now_ms);

// The schema version a database would need to be readable by this binary: ok when `version` is
// current or older (migratable), an error naming both versions otherwise.
Status check_schema_version(int version, int latest);

}  // namespace sluice::store::sqlite
