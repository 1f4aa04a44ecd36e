#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sluice::store {

// Model calls of one virtual key on one UTC day for one requested model.
struct UsageRow {
  std::string key_id;
  std::string day;  // YYYY-MM-DD, UTC
  std::string model;
  int64_t requests = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cost_nano_usd = 0;
};

// What one key spent on a UTC day and in that day's month, with the key's team (empty for a key
// of no team, or one since deleted).
struct KeySpend {
  std::string key_id;
  std::string team;
  int64_t day_nano_usd = 0;
  int64_t month_nano_usd = 0;
};

class UsageStore {
 public:
  virtual ~UsageStore() = default;

  // Adds each row's counts to the stored totals of its (key, day, model), all in one commit.
  virtual Status add(const std::vector<UsageRow>& rows) = 0;
  // A key's rows with `from` <= day <= `to`, by day then model, at most kMaxPageLimit.
  virtual Result<std::vector<UsageRow>> for_key(const std::string& key_id, const std::string& from,
                                                const std::string& to) = 0;
  // Every key's spend on `day` (YYYY-MM-DD) and from its month's first day to it.
  virtual Result<std::vector<KeySpend>> spend(const std::string& day) = 0;
};

}  // namespace sluice::store
