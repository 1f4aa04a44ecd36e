#pragma once
// What each virtual key and each team has spent today and this month (UTC), as budgets read it:
// the store's totals (every replica's flushed usage), plus this replica's calls that no read of
// the store includes yet. The usage ledger feeds it: add() as calls finish; begin_read() when a
// flush takes its rows, end_read() with the store's totals read after that flush commits. Another
// replica's calls count from its next flush (gateway usage is flushed every two seconds).

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/usage_store.hpp"

namespace sluice::gateway {

class SpendTracker {
 public:
  struct Spend {
    int64_t day_nano_usd = 0;
    int64_t month_nano_usd = 0;
  };

  // `now_ms`: the clock days are taken by (milliseconds since the Unix epoch); empty = the
  // system clock. At most `max_local` keys' calls wait for a read (beyond: counted as the team's
  // only, never held).
  explicit SpendTracker(std::function<int64_t()> now_ms = {}, std::size_t max_local = 100000);

  void add(std::string_view key_id, std::string_view team, int64_t cost_nano_usd);
  // A flush takes the ledger's rows: what was added so far is in it. (When that flush fails, its
  // rows and these calls wait for the next one together.)
  void begin_read();
  // The store's totals for `day`, read after that flush committed, replace what they include.
  void end_read(const std::string& day, std::vector<store::KeySpend> totals);

  Spend key(std::string_view key_id) const;
  Spend team(std::string_view team) const;

  // Calls admitted and not finished: budgets count what they may cost (nano-USD) as spent until
  // the call's real cost is added, so that calls in flight together cannot run past a budget.
  void hold(std::string_view key_id, std::string_view team, int64_t nano_usd);
  void release(std::string_view key_id, std::string_view team, int64_t nano_usd);

  // All a budget check reads of a key and its team (empty: none), in one lock and one reading of
  // the day.
  struct View {
    Spend key, team;
    int64_t held_by_key = 0, held_by_team = 0;
    // The most one call of the key (else of its team) has cost in this process: what a call
    // whose price is unknown is expected to cost. 0 before the first.
    int64_t largest_call = 0;
  };
  View view(std::string_view key_id, std::string_view team) const;
  // The UTC day now, YYYY-MM-DD.
  std::string today() const;

 private:
  struct Local {      // calls since the last read, of one key or one team
    std::string day;  // of day_nano_usd; its first 7 characters are month_nano_usd's month
    Spend spent;
  };
  using LocalMap = std::unordered_map<std::string, Local>;
  // Adds `add` to `into`; of different days, the later one's day and month (with the earlier
  // one's when in the same month).
  static void combine(Local& into, const Local& add);
  static void add_to(LocalMap& map, std::string_view name, const std::string& day, int64_t nano);
  static int64_t sum(const std::string& today, const LocalMap& map, std::string_view name,
                     bool month);
  // `now`: today(), read once by the caller.
  Spend spend_of(const std::string& now, std::string_view name,
                 const std::unordered_map<std::string, Spend>& stored, const LocalMap& pending,
                 const LocalMap& reading) const;

  std::function<int64_t()> now_ms_;
  const std::size_t max_local_;
  mutable std::mutex mutex_;
  std::string stored_day_;  // the day the stored totals are for
  std::unordered_map<std::string, Spend> stored_keys_, stored_teams_;
  LocalMap pending_keys_, pending_teams_;  // added since the last begin_read()
  LocalMap reading_keys_, reading_teams_;  // added before it, not yet in the stored totals
  std::unordered_map<std::string, int64_t> held_keys_, held_teams_;  // no entry at 0
  std::unordered_map<std::string, int64_t> largest_keys_, largest_teams_;
};

}  // namespace sluice::gateway
