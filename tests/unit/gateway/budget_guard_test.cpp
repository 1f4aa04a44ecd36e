#include "gateway/budget_guard.hpp"

#include <gtest/gtest.h>

#include "gateway/pricing.hpp"

namespace sluice::gateway {
namespace {

constexpr int64_t kNov30Noon = 1'796'040'000'000;  // 2026-11-30 12:00 UTC (around)

class BudgetGuardTest : public ::testing::Test {
 protected:
  BudgetGuardTest() {
    config_.teams.push_back({"alpha", 1.0, 10.0});
    config_.downgrades.push_back({"big", "small"});
  }
  core::Principal key(std::string team, double daily_usd = 0, double monthly_usd = 0) const {
    core::Principal p;
    p.key_id = "key_1";
    p.team = std::move(team);
    p.daily_budget_micro_usd = static_cast<int64_t>(daily_usd * 1e6);
    p.monthly_budget_micro_usd = static_cast<int64_t>(monthly_usd * 1e6);
    return p;
  }
  void spend(std::string_view key_id, std::string_view team, double usd) {
    spend_.add(key_id, team, static_cast<int64_t>(usd * 1e9));
  }

  int64_t now_ = kNov30Noon;
  std::function<int64_t()> clock_ = [this] { return now_; };
  SpendTracker spend_{clock_};
  core::BudgetsConfig config_;
};

TEST_F(BudgetGuardTest, AKeyIsRefusedOnceItsSpendReachesItsBudget) {
  const BudgetGuard guard(spend_, config_, clock_);
  const core::Principal p = key("", 2.0);
  spend("key_1", "", 1.99);
  EXPECT_FALSE(guard.check(p, "m").refusal);
  spend("key_1", "", 0.01);
  const BudgetVerdict verdict = guard.check(p, "m");
  ASSERT_TRUE(verdict.refusal);
  EXPECT_EQ(verdict.refusal->code, Errc::rate_limited);
  EXPECT_EQ(verdict.refusal->code_detail, "budget_exceeded");
  EXPECT_NE(verdict.refusal->message.find("daily budget of $2.00 of this API key"),
            std::string::npos)
      << verdict.refusal->message;
  // Until the next UTC midnight.
  const int64_t seconds_today = (now_ / 1000) % 86'400;
  EXPECT_EQ(verdict.retry_after_seconds, 86'400 - seconds_today);
  EXPECT_TRUE(verdict.downgrade_to.empty());
  now_ += 86'400'000;  // the next day starts afresh
  EXPECT_FALSE(guard.check(p, "m").refusal);
}

TEST_F(BudgetGuardTest, MonthlyBudgetsLastUntilTheNextMonth) {
  const BudgetGuard guard(spend_, config_, clock_);
  const core::Principal p = key("", 0, 3.0);
  spend("key_1", "", 3.0);
  const BudgetVerdict verdict = guard.check(p, "m");
  ASSERT_TRUE(verdict.refusal);
  EXPECT_NE(verdict.refusal->message.find("monthly"), std::string::npos);
  // 2026-12-01 00:00 UTC is 1'796'083'200 s.
  EXPECT_EQ(verdict.retry_after_seconds, 1'796'083'200 - now_ / 1000);
}

TEST_F(BudgetGuardTest, ATeamsBudgetHoldsAllItsKeys) {
  const BudgetGuard guard(spend_, config_, clock_);
  spend("key_other", "alpha", 1.0);
  const BudgetVerdict verdict = guard.check(key("alpha"), "m");
  ASSERT_TRUE(verdict.refusal);
  EXPECT_NE(verdict.refusal->message.find("team alpha"), std::string::npos);
  EXPECT_FALSE(guard.check(key("beta"), "m").refusal);
  EXPECT_FALSE(guard.check(key(""), "m").refusal);
}

TEST_F(BudgetGuardTest, OverBudgetACheaperModelIsOffered) {
  const BudgetGuard guard(spend_, config_, clock_);
  spend("key_1", "", 5.0);
  const BudgetVerdict verdict = guard.check(key("", 1.0), "big");
  EXPECT_TRUE(verdict.refusal);  // for when the cheaper model is not the key's to call
  EXPECT_EQ(verdict.downgrade_to, "small");
  EXPECT_TRUE(guard.check(key("", 1.0), "other").downgrade_to.empty());
}

TEST_F(BudgetGuardTest, TheGateAdmitsHoldingTheEstimateDowngradesOrRefusesAndCountsIt) {
  BudgetGuard guard(spend_, config_, clock_);
  const PriceTable prices({{"big", 1.0, 2.0}});
  guard.set_estimates(&prices, 100);
  const auto any = [](std::string_view) { return true; };
  const core::Principal p = key("", 1.0);
  {
    // Under budget: admitted, holding its estimate (1000 x $1 + 100 x $2 per million) until the
    // call ends.
    BudgetAdmission admitted = guard.admit(p, "big", 1000, 0, any);
    EXPECT_EQ(admitted.kind, BudgetAdmission::Kind::admitted);
    EXPECT_EQ(admitted.hold.nano_usd(), 1'200'000);
    EXPECT_EQ(spend_.view("key_1", "").held_by_key, 1'200'000);
  }
  EXPECT_EQ(spend_.view("key_1", "").held_by_key, 0);
  spend("key_1", "", 1.0);
  // Over budget: the cheaper model when the key may call it (not held), else refused.
  const BudgetAdmission downgraded = guard.admit(p, "big", 1000, 0, any);
  EXPECT_EQ(downgraded.kind, BudgetAdmission::Kind::downgraded);
  EXPECT_EQ(downgraded.verdict.downgrade_to, "small");
  EXPECT_EQ(downgraded.hold.nano_usd(), 0);
  const BudgetAdmission refused =
      guard.admit(p, "big", 1000, 0, [](std::string_view model) { return model != "small"; });
  EXPECT_EQ(refused.kind, BudgetAdmission::Kind::refused);
  ASSERT_TRUE(refused.verdict.refusal);
  EXPECT_EQ(refused.verdict.refusal->code_detail, "budget_exceeded");
  EXPECT_EQ(guard.admit(p, "other", 10, 0, any).kind, BudgetAdmission::Kind::refused);
  EXPECT_EQ(guard.counted(false, BudgetGuard::Action::downgraded), 1u);
  EXPECT_EQ(guard.counted(false, BudgetGuard::Action::refused), 2u);
}

TEST_F(BudgetGuardTest, KeysWithoutRecordedSpendPass) {
  const BudgetGuard guard(spend_, config_, clock_);
  core::Principal config_key = key("alpha", 0.000001);
  config_key.key_id.clear();
  spend("", "alpha", 100);
  EXPECT_FALSE(guard.check(config_key, "m").refusal);
}

TEST_F(BudgetGuardTest, CallsInFlightHoldTheirEstimatesUntilTheyEnd) {
  const BudgetGuard guard(spend_, config_, clock_);
  const core::Principal p = key("", 1.0);
  constexpr int64_t kEstimate = 300'000'000;  // $0.30
  std::vector<SpendHold> holds;
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(guard.check(p, "m", kEstimate).refusal) << i;
    holds.push_back(guard.hold(p, kEstimate));
  }
  // $0.90 held: one more would pass the budget before any call has ended.
  const BudgetVerdict verdict = guard.check(p, "m", kEstimate);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_NE(verdict.refusal->message.find("would be passed (spent $0.00, calls in flight $0.90, "
                                          "this call about $0.30)"),
            std::string::npos)
      << verdict.refusal->message;
  // A call ends: its real cost is added, then its hold given back.
  spend("key_1", "", 0.05);
  holds.pop_back();
  EXPECT_FALSE(guard.check(p, "m", kEstimate).refusal);  // 0.05 + 0.60 + 0.30 <= 1
  holds.clear();
  EXPECT_EQ(spend_.view("key_1", "").held_by_key, 0);
}

TEST_F(BudgetGuardTest, ATeamsBudgetCountsEveryKeysCallsInFlight) {
  const BudgetGuard guard(spend_, config_, clock_);  // team alpha: $1 a day
  core::Principal first = key("alpha"), second = key("alpha");
  second.key_id = "key_2";
  const SpendHold held = guard.hold(first, 800'000'000);
  EXPECT_EQ(spend_.view("key_1", "alpha").held_by_team, 800'000'000);
  const BudgetVerdict verdict = guard.check(second, "m", 300'000'000);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_NE(verdict.refusal->message.find("team alpha"), std::string::npos);
  EXPECT_FALSE(guard.check(second, "m", 200'000'000).refusal);
}

TEST_F(BudgetGuardTest, EstimatesComeFromThePriceOrTheLargestCallSoFar) {
  BudgetGuard guard(spend_, config_, clock_);
  const PriceTable prices({core::PriceConfig{"priced", 1.0, 2.0, 0}});  // USD per million
  guard.set_estimates(&prices, 1000);
  const core::Principal p = key("", 1.0);
  // 500 prompt tokens at $1/M + the default 1000 completion tokens at $2/M = $0.0025.
  EXPECT_EQ(guard.estimate(p, "priced", 500, 0), 2'500'000);
  EXPECT_EQ(guard.estimate(p, "priced", 500, 10), 520'000);  // max_tokens 10
  EXPECT_EQ(guard.estimate(p, "priced", 500, -1), 500'000);  // answers none (embeddings)
  EXPECT_EQ(guard.estimate(p, "unpriced", 500, 0), 0);       // nothing known yet
  spend("key_1", "", 0.004);
  EXPECT_EQ(guard.estimate(p, "unpriced", 500, 0), 4'000'000);  // the largest call so far
  EXPECT_EQ(guard.estimate(p, "priced", 500, 10), 4'000'000);
}

TEST_F(BudgetGuardTest, SmallBudgetsAreShownToTheMillionth) {
  const BudgetGuard guard(spend_, config_, clock_);
  const core::Principal p = key("", 0.0001);
  spend("key_1", "", 0.001);
  const BudgetVerdict verdict = guard.check(p, "m");
  ASSERT_TRUE(verdict.refusal);
  EXPECT_NE(verdict.refusal->message.find("the daily budget of $0.0001 of this API key is spent"),
            std::string::npos)
      << verdict.refusal->message;
}

}  // namespace
}  // namespace sluice::gateway
