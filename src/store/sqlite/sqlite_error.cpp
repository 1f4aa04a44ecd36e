#include "store/sqlite/sqlite_error.hpp"

#include <sqlite3.h>

namespace sluice::store::sqlite {

void throw_sqlite_error(int rc, const char* context, const char* detail) {
  Errc code = Errc::internal;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = Errc::conflict;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:  // disk full: an operator frees space, the client retries
      code = Errc::unavailable;
      break;
    default:
      break;
  }
  std::string message = std::string("sqlite: ") + context + ": " + sqlite3_errstr(rc);
  if (detail && *detail) message += std::string(" (") + detail + ")";
  throw SqliteError(code, message);
}

}  // namespace sluice::store::sqlite
