#pragma once

#include <cstdint>
#include <functional>

#include "store/sqlite/database.hpp"

namespace sluice::store::sqlite {

// What every SQLite store shares: the database, the clock and the job policy.
struct Context {
  Database& db;
  std::function<int64_t()> now_ms;
  int job_max_attempts;
};

}  // namespace sluice::store::sqlite
