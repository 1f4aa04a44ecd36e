#include "gateway/spend_tracker.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "gateway/usage_ledger.hpp"

namespace sluice::gateway {
namespace {

std::string_view month_of(std::string_view day) { return day.substr(0, 7); }

void merge_into(std::unordered_map<std::string, SpendTracker::Spend>& into, const std::string& name,
                const SpendTracker::Spend& add) {
  SpendTracker::Spend& spend = into[name];
  spend.day_nano_usd += add.day_nano_usd;
  spend.month_nano_usd += add.month_nano_usd;
}

}  // namespace

SpendTracker::SpendTracker(std::function<int64_t()> now_ms, std::size_t max_local)
    : now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(core::unix_milliseconds)),
      max_local_(max_local) {}

std::string SpendTracker::today() const { return utc_day(now_ms_()); }

void SpendTracker::combine(Local& into, const Local& add) {
  if (into.day.empty() || into.day == add.day) {
    into.day = add.day;
    into.spent.day_nano_usd += add.spent.day_nano_usd;
    into.spent.month_nano_usd += add.spent.month_nano_usd;
    return;
  }
  // Different days: the later one's figures, with the earlier one's month when it is the same.
  const Local& later = into.day < add.day ? add : into;
  const Local& earlier = into.day < add.day ? into : add;
  Local out = later;
  if (month_of(earlier.day) == month_of(later.day))
    out.spent.month_nano_usd += earlier.spent.month_nano_usd;
  into = std::move(out);
}

void SpendTracker::add_to(LocalMap& map, std::string_view name, const std::string& day,
                          int64_t nano) {
  auto it = map.find(std::string(name));
  if (it == map.end()) it = map.emplace(std::string(name), Local{}).first;
  combine(it->second, Local{day, {nano, nano}});
}

void SpendTracker::add(std::string_view key_id, std::string_view team, int64_t cost_nano_usd) {
  if (cost_nano_usd <= 0) return;
  const std::string day = today();
  std::lock_guard lock(mutex_);
  if (pending_keys_.size() < max_local_ || pending_keys_.contains(std::string(key_id)))
    add_to(pending_keys_, key_id, day, cost_nano_usd);
  if (!team.empty()) add_to(pending_teams_, team, day, cost_nano_usd);
  const auto raise = [this](std::unordered_map<std::string, int64_t>& largest,
                            std::string_view name, int64_t cost) {
    auto it = largest.find(std::string(name));
    if (it == largest.end() && largest.size() < max_local_)
      it = largest.emplace(std::string(name), 0).first;
    if (it != largest.end()) it->second = std::max(it->second, cost);
  };
  raise(largest_keys_, key_id, cost_nano_usd);
  if (!team.empty()) raise(largest_teams_, team, cost_nano_usd);
}

namespace {

// Adds `nano` (negative: takes away) to `name`'s entry, which goes at 0.
void add_held(std::unordered_map<std::string, int64_t>& held, std::string_view name, int64_t nano) {
  if (name.empty() || nano == 0) return;
  auto it = held.find(std::string(name));
  if (it == held.end()) it = held.emplace(std::string(name), 0).first;
  it->second += nano;
  if (it->second <= 0) held.erase(it);
}

int64_t value_or_zero(const std::unordered_map<std::string, int64_t>& map, std::string_view name) {
  const auto it = map.find(std::string(name));
  return it == map.end() ? 0 : it->second;
}

}  // namespace

void SpendTracker::hold(std::string_view key_id, std::string_view team, int64_t nano_usd) {
  std::lock_guard lock(mutex_);
  add_held(held_keys_, key_id, nano_usd);
  add_held(held_teams_, team, nano_usd);
}

void SpendTracker::release(std::string_view key_id, std::string_view team, int64_t nano_usd) {
  std::lock_guard lock(mutex_);
  add_held(held_keys_, key_id, -nano_usd);
  add_held(held_teams_, team, -nano_usd);
}

void SpendTracker::begin_read() {
  std::lock_guard lock(mutex_);
  // A failed flush's calls are still unread: they stay, joined by these.
  for (auto [from, to] :
       {std::pair{&pending_keys_, &reading_keys_}, std::pair{&pending_teams_, &reading_teams_}}) {
    for (const auto& [name, local] : *from) combine((*to)[name], local);
    from->clear();
  }
}

void SpendTracker::end_read(const std::string& day, std::vector<store::KeySpend> totals) {
  std::unordered_map<std::string, Spend> keys, teams;
  keys.reserve(totals.size());
  for (const store::KeySpend& row : totals) {
    const Spend spend{row.day_nano_usd, row.month_nano_usd};
    merge_into(keys, row.key_id, spend);
    if (!row.team.empty()) merge_into(teams, row.team, spend);
  }
  std::lock_guard lock(mutex_);
  stored_day_ = day;
  stored_keys_ = std::move(keys);
  stored_teams_ = std::move(teams);
  reading_keys_.clear();
  reading_teams_.clear();
}

int64_t SpendTracker::sum(const std::string& today, const LocalMap& map, std::string_view name,
                          bool month) {
  const auto it = map.find(std::string(name));
  if (it == map.end()) return 0;
  const Local& local = it->second;
  if (month) return month_of(local.day) == month_of(today) ? local.spent.month_nano_usd : 0;
  return local.day == today ? local.spent.day_nano_usd : 0;
}

SpendTracker::Spend SpendTracker::spend_of(const std::string& now, std::string_view name,
                                           const std::unordered_map<std::string, Spend>& stored,
                                           const LocalMap& pending, const LocalMap& reading) const {
  Spend out;
  if (const auto it = stored.find(std::string(name)); it != stored.end()) {
    if (stored_day_ == now) out.day_nano_usd = it->second.day_nano_usd;
    if (month_of(stored_day_) == month_of(now)) out.month_nano_usd = it->second.month_nano_usd;
  }
  for (const LocalMap* map : {&pending, &reading}) {
    out.day_nano_usd += sum(now, *map, name, false);
    out.month_nano_usd += sum(now, *map, name, true);
  }
  return out;
}

SpendTracker::View SpendTracker::view(std::string_view key_id, std::string_view team) const {
  View out;
  const std::string now = today();
  std::lock_guard lock(mutex_);
  out.key = spend_of(now, key_id, stored_keys_, pending_keys_, reading_keys_);
  out.held_by_key = value_or_zero(held_keys_, key_id);
  const int64_t own_largest = value_or_zero(largest_keys_, key_id);
  if (!team.empty()) {
    out.team = spend_of(now, team, stored_teams_, pending_teams_, reading_teams_);
    out.held_by_team = value_or_zero(held_teams_, team);
  }
  out.largest_call = own_largest > 0 ? own_largest : value_or_zero(largest_teams_, team);
  return out;
}

SpendTracker::Spend SpendTracker::key(std::string_view key_id) const {
  const std::string now = today();
  std::lock_guard lock(mutex_);
  return spend_of(now, key_id, stored_keys_, pending_keys_, reading_keys_);
}

SpendTracker::Spend SpendTracker::team(std::string_view team) const {
  const std::string now = today();
  std::lock_guard lock(mutex_);
  return spend_of(now, team, stored_teams_, pending_teams_, reading_teams_);
}

}  // namespace sluice::gateway
