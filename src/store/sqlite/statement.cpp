#include "store/sqlite/statement.hpp"

#include <sqlite3.h>

#include "store/sqlite/sqlite_error.hpp"

namespace sluice::store::sqlite {
namespace {

void check_bind(sqlite3_stmt* stmt, int rc) {
  if (rc != SQLITE_OK) throw_sqlite_error(rc, "bind", sqlite3_sql(stmt));
}

}  // namespace

Statement::~Statement() {
  if (observer_ != nullptr && *observer_)
    (*observer_)(sqlite3_sql(stmt_), sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_VM_STEP, 1));
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind_int64(int index, int64_t value) {
  check_bind(stmt_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so a temporary argument is safe.
  check_bind(stmt_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                        SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob rather than NULL for empty input: the columns are NOT NULL.
  const int rc = bytes.empty()
                     ? sqlite3_bind_zeroblob(stmt_, index, 0)
                     : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  check_bind(stmt_, rc);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(sqlite3_extended_errcode(sqlite3_db_handle(stmt_)), "step",
                     sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

void Statement::run() {
  while (step()) {
  }
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

std::string_view Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string_view(static_cast<const char*>(data), size) : std::string_view();
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace sluice::store::sqlite
