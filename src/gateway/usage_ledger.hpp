#pragma once
// Virtual keys' usage, gathered in memory per (key, UTC day, model) as calls finish and added to
// the store's totals every period: a model call never waits on the database.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "gateway/spend_tracker.hpp"
#include "gateway/usage_sink.hpp"
#include "store/usage_store.hpp"

namespace sluice::gateway {

// The UTC day of `unix_ms` as YYYY-MM-DD.
std::string utc_day(int64_t unix_ms);

class UsageLedger final : public UsageSink {
 public:
  // `store` must outlive the ledger. At most `max_pending` (key, day, model) rows wait for a
  // flush; calls beyond them are counted in dropped() and logged, never held.
  UsageLedger(store::UsageStore& store, std::size_t max_pending = 10000,
              std::function<int64_t()> now_ms = {});

  void record(std::string_view key_id, std::string_view team, std::string_view model,
              const Usage& usage, double cost_usd) override;

  // Where calls' costs are told as they finish, and the store's spend totals after each flush;
  // null (the default) = nowhere. Set before serving; `spend` must outlive the ledger.
  void set_spend_tracker(SpendTracker* spend) { spend_ = spend; }

  // Blocking: adds the gathered rows to the store in one commit; on failure they stay gathered
  // (merged with what arrives meanwhile) for the next flush. Then reads the spend totals back.
  Status flush();
  // flush() every `period` on the blocking pool, for as long as its event loop runs.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period);

  uint64_t dropped() const;

 private:
  using RowKey = std::tuple<std::string, std::string, std::string>;  // key id, day, model
  struct Totals {
    int64_t requests = 0, prompt_tokens = 0, completion_tokens = 0, cost_nano_usd = 0;
  };
  // Ordered with std::less<>: a call finds its row by views, allocating only for a new one.
  using Rows = std::map<RowKey, Totals, std::less<>>;
  static void merge(Totals& into, const Totals& add);
  // On failure, puts the rows back for the next flush.
  Status add_to_store(const Rows& taken);

  store::UsageStore& store_;
  const std::size_t max_pending_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex mutex_;
  Rows pending_;
  std::string day_;  // the UTC day of day_start_ms_, formatted once a day
  int64_t day_start_ms_ = -1;
  uint64_t dropped_ = 0;
  SpendTracker* spend_ = nullptr;
};

}  // namespace sluice::gateway
