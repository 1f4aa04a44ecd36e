#include "gateway/usage_ledger.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sluice::gateway {
namespace {

class RecordingUsageStore final : public store::UsageStore {
 public:
  bool fail = false;
  std::map<std::string, store::UsageRow> totals;  // by "key|day|model"
  int commits = 0;

  Status add(const std::vector<store::UsageRow>& rows) override {
    if (fail) return make_error(Errc::unavailable, "disk full");
    ++commits;
    for (const store::UsageRow& row : rows) {
      store::UsageRow& total = totals[row.key_id + "|" + row.day + "|" + row.model];
      total.requests += row.requests;
      total.prompt_tokens += row.prompt_tokens;
      total.completion_tokens += row.completion_tokens;
      total.cost_nano_usd += row.cost_nano_usd;
    }
    return Status::success();
  }
  Result<std::vector<store::UsageRow>> for_key(const std::string&, const std::string&,
                                               const std::string&) override {
    return std::vector<store::UsageRow>{};
  }
  std::map<std::string, std::string> teams;  // key id -> team, as api_keys would join them
  Result<std::vector<store::KeySpend>> spend(const std::string& day) override {
    if (fail) return make_error(Errc::unavailable, "disk full");
    std::map<std::string, store::KeySpend> by_key;
    for (const auto& [name, row] : totals) {
      const std::string key_id = name.substr(0, name.find('|'));
      const std::string row_day = name.substr(key_id.size() + 1, 10);
      if (row_day.substr(0, 7) != day.substr(0, 7) || row_day > day) continue;
      store::KeySpend& spend = by_key[key_id];
      spend.key_id = key_id;
      spend.team = teams[key_id];
      spend.month_nano_usd += row.cost_nano_usd;
      if (row_day == day) spend.day_nano_usd += row.cost_nano_usd;
    }
    std::vector<store::KeySpend> out;
    for (auto& [id, spend] : by_key) out.push_back(spend);
    return out;
  }
};

constexpr int64_t kNov30 = 1'796'000'000'000;  // 2026-11-30 around 00:53 UTC

TEST(UsageLedgerTest, DaysAreUtc) {
  EXPECT_EQ(utc_day(0), "1970-01-01");
  EXPECT_EQ(utc_day(kNov30), "2026-11-30");
  EXPECT_EQ(utc_day(kNov30 - 3'600'000), "2026-11-29");
}

TEST(UsageLedgerTest, GathersPerKeyDayAndModelAndAddsThemInOneCommit) {
  RecordingUsageStore store;
  int64_t now = kNov30;
  UsageLedger ledger(store, 100, [&now] { return now; });
  ledger.record("key_a", "", "fast", Usage{10, 5}, 0.000125);
  ledger.record("key_a", "", "fast", Usage{1, 2}, 0.000001);
  ledger.record("key_a", "", "big", Usage{}, 0);  // a failed call: a request, nothing used
  now -= 3'600'000;
  ledger.record("key_a", "", "fast", Usage{7, 7}, 0);
  ASSERT_TRUE(ledger.flush());
  EXPECT_EQ(store.commits, 1);
  const store::UsageRow& fast = store.totals.at("key_a|2026-11-30|fast");
  EXPECT_EQ(fast.requests, 2);
  EXPECT_EQ(fast.prompt_tokens, 11);
  EXPECT_EQ(fast.completion_tokens, 7);
  EXPECT_EQ(fast.cost_nano_usd, 126'000);
  EXPECT_EQ(store.totals.at("key_a|2026-11-30|big").requests, 1);
  EXPECT_EQ(store.totals.at("key_a|2026-11-29|fast").requests, 1);
  ASSERT_TRUE(ledger.flush());  // nothing new: no commit
  EXPECT_EQ(store.commits, 1);
}

TEST(UsageLedgerTest, AFailedFlushKeepsTheRowsForTheNext) {
  RecordingUsageStore store;
  UsageLedger ledger(store, 100, [] { return kNov30; });
  ledger.record("key_a", "", "fast", Usage{1, 1}, 0);
  store.fail = true;
  EXPECT_FALSE(ledger.flush());
  ledger.record("key_a", "", "fast", Usage{1, 1}, 0);
  store.fail = false;
  ASSERT_TRUE(ledger.flush());
  EXPECT_EQ(store.totals.at("key_a|2026-11-30|fast").requests, 2);
}

TEST(UsageLedgerTest, HoldsAtMostMaxPendingRows) {
  RecordingUsageStore store;
  UsageLedger ledger(store, 2, [] { return kNov30; });
  ledger.record("key_a", "", "m1", Usage{}, 0);
  ledger.record("key_a", "", "m2", Usage{}, 0);
  ledger.record("key_a", "", "m3", Usage{}, 0);  // a third row: dropped
  ledger.record("key_a", "", "m1", Usage{}, 0);  // an existing row still counts
  EXPECT_EQ(ledger.dropped(), 1u);
  ASSERT_TRUE(ledger.flush());
  EXPECT_EQ(store.totals.size(), 2u);
  EXPECT_EQ(store.totals.at("key_a|2026-11-30|m1").requests, 2);
}

// Budgets read spend through the ledger: each call counts once, whether it still waits for a
// flush, is being flushed, or is in the store's totals; and other replicas' flushed calls count.
TEST(SpendTrackerTest, EachCallCountsOnceThroughFlushesFailuresAndOtherReplicas) {
  RecordingUsageStore store;
  store.teams["key_a"] = "alpha";
  store.teams["key_b"] = "alpha";
  int64_t now = kNov30;
  const auto clock = [&now] { return now; };
  SpendTracker spend(clock);
  UsageLedger ledger(store, 100, clock);
  ledger.set_spend_tracker(&spend);

  ledger.record("key_a", "alpha", "fast", Usage{1, 1}, 0.000002);  // 2000 nano-USD
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 2000);
  EXPECT_EQ(spend.team("alpha").month_nano_usd, 2000);
  ASSERT_TRUE(ledger.flush().ok());
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 2000);  // from the store now, not twice

  store.fail = true;
  ledger.record("key_a", "alpha", "fast", Usage{1, 1}, 0.000003);
  EXPECT_FALSE(ledger.flush().ok());
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 5000);
  ledger.record("key_a", "alpha", "fast", Usage{1, 1}, 0.000001);
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 6000);
  store.fail = false;
  // Another replica's key of the same team flushed its own calls meanwhile.
  store.totals["key_b|2026-11-30|fast"].cost_nano_usd = 10000;
  ASSERT_TRUE(ledger.flush().ok());
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 6000);
  EXPECT_EQ(spend.key("key_b").day_nano_usd, 10000);
  EXPECT_EQ(spend.team("alpha").day_nano_usd, 16000);
  EXPECT_EQ(spend.team("beta").day_nano_usd, 0);
  EXPECT_EQ(spend.key("key_c").month_nano_usd, 0);
}

TEST(SpendTrackerTest, DaysAndMonthsStartAfresh) {
  RecordingUsageStore store;
  int64_t now = kNov30;
  const auto clock = [&now] { return now; };
  SpendTracker spend(clock);
  UsageLedger ledger(store, 100, clock);
  ledger.set_spend_tracker(&spend);
  ledger.record("key_a", "", "fast", Usage{}, 0.000004);
  ASSERT_TRUE(ledger.flush().ok());
  ledger.record("key_a", "", "fast", Usage{}, 0.000001);  // not flushed yet
  now += 86'400'000;                                      // 2026-12-01
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 0);
  EXPECT_EQ(spend.key("key_a").month_nano_usd, 0);
  ledger.record("key_a", "", "fast", Usage{}, 0.000002);
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 2000);
  EXPECT_EQ(spend.key("key_a").month_nano_usd, 2000);
  ASSERT_TRUE(ledger.flush().ok());
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 2000);
  now += 86'400'000;  // 2026-12-02: yesterday's totals still count for the month
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 0);
  EXPECT_EQ(spend.key("key_a").month_nano_usd, 2000);
  ASSERT_TRUE(ledger.flush().ok());
  EXPECT_EQ(spend.key("key_a").day_nano_usd, 0);
  EXPECT_EQ(spend.key("key_a").month_nano_usd, 2000);
}

}  // namespace
}  // namespace sluice::gateway
