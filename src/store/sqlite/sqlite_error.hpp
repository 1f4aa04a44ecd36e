#pragma once

#include <stdexcept>
#include <string>

#include "core/error.hpp"

namespace sluice::store::sqlite {

// A failed SQLite call. Inside this backend it is thrown, so that queries read as straight
// lines; Database::read/write turn it into an Error at the Store interface, which never throws.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Error error() const { return make_error(code_, what()); }

 private:
  Errc code_;
};

// The error for SQLite result code `rc`: unique/primary-key violations are conflicts, a locked
// database or a full disk is unavailable (retry later), anything else is internal.
[[noreturn]] void throw_sqlite_error(int rc, const char* context, const char* detail);

}  // namespace sluice::store::sqlite
