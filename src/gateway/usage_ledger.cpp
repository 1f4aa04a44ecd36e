#include "gateway/usage_ledger.hpp"

#include <time.h>

#include <cmath>
#include <cstdio>

#include "core/clock.hpp"
#include "ops/logger.hpp"
#include "ops/periodic.hpp"

namespace sluice::gateway {

std::string utc_day(int64_t unix_ms) {
  const time_t seconds = static_cast<time_t>(unix_ms / 1000);
  struct tm parts {};
  gmtime_r(&seconds, &parts);
  char day[32];
  std::snprintf(day, sizeof day, "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday);
  return day;
}

UsageLedger::UsageLedger(store::UsageStore& store, std::size_t max_pending,
                         std::function<int64_t()> now_ms)
    : store_(store),
      max_pending_(max_pending),
      now_ms_(now_ms ? std::move(now_ms) : core::unix_milliseconds) {}

void UsageLedger::merge(Totals& into, const Totals& add) {
  into.requests += add.requests;
  into.prompt_tokens += add.prompt_tokens;
  into.completion_tokens += add.completion_tokens;
  into.cost_nano_usd += add.cost_nano_usd;
}

void UsageLedger::record(std::string_view key_id, std::string_view team, std::string_view model,
                         const Usage& usage, double cost_usd) {
  constexpr int64_t kDayMs = 86'400'000;  // Unix time has no leap seconds: days are exact
  const int64_t now = now_ms_();
  const Totals add{1, usage.prompt_tokens, usage.completion_tokens, std::llround(cost_usd * 1e9)};
  bool first_drop = false;
  {
    std::lock_guard lock(mutex_);
    if (now < day_start_ms_ || now >= day_start_ms_ + kDayMs) {
      day_ = utc_day(now);
      day_start_ms_ = now - now % kDayMs;
    }
    const auto row = pending_.find(
        std::tuple<std::string_view, std::string_view, std::string_view>(key_id, day_, model));
    if (row != pending_.end()) {
      merge(row->second, add);
    } else if (pending_.size() >= max_pending_) {
      first_drop = dropped_++ == 0;
    } else {
      pending_.emplace(RowKey(key_id, day_, model), add);
    }
    // Under the ledger's lock: a flush's rows and the spend it reads back hold the same calls.
    if (spend_) spend_->add(key_id, team, add.cost_nano_usd);
  }
  if (first_drop)
    ops::logger().error("virtual key usage dropped: too many rows wait for the store",
                        {{"max_pending", static_cast<long long>(max_pending_)}});
}

Status UsageLedger::flush() {
  Rows taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(pending_);
    if (spend_) spend_->begin_read();
  }
  if (Status added = add_to_store(taken); !added) return added;
  if (!spend_) return Status::success();
  // Every replica's flushed calls, this one's included: what budgets are checked against.
  const std::string day = spend_->today();
  auto totals = store_.spend(day);
  if (!totals) return totals.error();
  spend_->end_read(day, std::move(*totals));
  return Status::success();
}

Status UsageLedger::add_to_store(const Rows& taken) {
  if (taken.empty()) return Status::success();
  std::vector<store::UsageRow> rows;
  rows.reserve(taken.size());
  for (const auto& [key, totals] : taken)
    rows.push_back(store::UsageRow{std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                   totals.requests, totals.prompt_tokens, totals.completion_tokens,
                                   totals.cost_nano_usd});
  Status added = store_.add(rows);
  if (!added) {
    std::lock_guard lock(mutex_);  // kept for the next flush, whatever the bound
    for (const auto& [key, totals] : taken) merge(pending_[key], totals);
  }
  return added;
}

boost::asio::awaitable<void> UsageLedger::run(std::chrono::milliseconds period) {
  ops::FailureStreak failures;
  co_await ops::repeat_blocking(
      period, [this, &failures] { failures.report(flush(), "cannot store virtual key usage"); });
}

uint64_t UsageLedger::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace sluice::gateway
