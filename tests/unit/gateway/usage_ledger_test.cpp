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
  ledger.record("key_a", "fast", Usage{10, 5}, 0.000125);
  ledger.record("key_a", "fast", Usage{1, 2}, 0.000001);
  ledger.record("key_a", "big", Usage{}, 0);  // a failed call: a request, nothing used
  now -= 3'600'000;
  ledger.record("key_a", "fast", Usage{7, 7}, 0);
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
  ledger.record("key_a", "fast", Usage{1, 1}, 0);
  store.fail = true;
  EXPECT_FALSE(ledger.flush());
  ledger.record("key_a", "fast", Usage{1, 1}, 0);
  store.fail = false;
  ASSERT_TRUE(ledger.flush());
  EXPECT_EQ(store.totals.at("key_a|2026-11-30|fast").requests, 2);
}

TEST(UsageLedgerTest, HoldsAtMostMaxPendingRows) {
  RecordingUsageStore store;
  UsageLedger ledger(store, 2, [] { return kNov30; });
  ledger.record("key_a", "m1", Usage{}, 0);
  ledger.record("key_a", "m2", Usage{}, 0);
  ledger.record("key_a", "m3", Usage{}, 0);  // a third row: dropped
  ledger.record("key_a", "m1", Usage{}, 0);  // an existing row still counts
  EXPECT_EQ(ledger.dropped(), 1u);
  ASSERT_TRUE(ledger.flush());
  EXPECT_EQ(store.totals.size(), 2u);
  EXPECT_EQ(store.totals.at("key_a|2026-11-30|m1").requests, 2);
}

}  // namespace
}  // namespace sluice::gateway
