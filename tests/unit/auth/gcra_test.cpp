#include "auth/gcra.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// 60 per minute (one a second) with a burst of `burst`.
Rate one_per_second(int64_t burst) { return Rate::per_period(60, 60 * kSecond, burst); }

TEST(Gcra, AdmitsTheBurstAtOnceThenRefuses) {
  const Rate rate = one_per_second(5);
  int64_t tat = 0;
  const int64_t now = 100 * kSecond;
  for (int i = 0; i < 5; ++i) {
    const GcraDecision d = gcra_decide(tat, now, 1, rate);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 4 - i);
    tat = d.tat_ns;
  }
  const GcraDecision refused = gcra_decide(tat, now, 1, rate);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.tat_ns, tat);  // a refusal costs nothing
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_ns, 5 * kSecond);
}

TEST(Gcra, RetryAfterIsWhenTheRequestFits) {
  const Rate rate = one_per_second(2);
  int64_t tat = 0;
  const int64_t now = 10 * kSecond;
  tat = gcra_decide(tat, now, 1, rate).tat_ns;
  tat = gcra_decide(tat, now, 1, rate).tat_ns;
  const int64_t later = now + kSecond / 4;
  const GcraDecision refused = gcra_decide(tat, later, 1, rate);
  ASSERT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ns, 3 * kSecond / 4);
  EXPECT_FALSE(gcra_decide(tat, later + refused.retry_after_ns - 1, 1, rate).allowed);
  EXPECT_TRUE(gcra_decide(tat, later + refused.retry_after_ns, 1, rate).allowed);
}

TEST(Gcra, ASteadyClientGetsExactlyTheRate) {
  const Rate rate = one_per_second(1);
  int64_t tat = 0;
  int admitted = 0;
  // Ten tries a second for a minute: one a second gets in, plus the burst of one at the start.
  for (int64_t t = 0; t <= 60 * kSecond; t += kSecond / 10) {
    const GcraDecision d = gcra_decide(tat, 1000 * kSecond + t, 1, rate);
    if (d.allowed) ++admitted;
    tat = d.tat_ns;
  }
  EXPECT_EQ(admitted, 61);
}

TEST(Gcra, IdleTimeRefillsNoMoreThanTheBurst) {
  const Rate rate = one_per_second(3);
  int64_t tat = 0;
  for (int i = 0; i < 3; ++i) tat = gcra_decide(tat, 0, 1, rate).tat_ns;
  const GcraDecision after_an_hour = gcra_decide(tat, 3600 * kSecond, 0, rate);
  EXPECT_EQ(after_an_hour.remaining, 3);
  EXPECT_EQ(after_an_hour.reset_ns, 0);
}

TEST(Gcra, WeightedCostsAndCostsBeyondTheBurst) {
  const Rate rate =
      Rate::per_period(600, 60 * kSecond, 600);  // tokens: ten a second, a minute's worth at once
  GcraDecision d = gcra_decide(0, 0, 400, rate);
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 200);
  EXPECT_FALSE(gcra_decide(d.tat_ns, 0, 300, rate).allowed);
  EXPECT_EQ(gcra_decide(d.tat_ns, 0, 300, rate).retry_after_ns, 10 * kSecond);
  const GcraDecision never = gcra_decide(0, 0, 601, rate);
  EXPECT_FALSE(never.allowed);
  EXPECT_GE(never.retry_after_ns, 1);
}

TEST(Gcra, AdjustChargesAndRefundsButKeepsNoCreditBeforeNow) {
  const Rate rate = Rate::per_period(600, 60 * kSecond, 600);
  const int64_t now = 50 * kSecond;
  const int64_t tat = gcra_decide(0, now, 100, rate).tat_ns;
  EXPECT_EQ(gcra_adjust(tat, now, 50, rate), tat + 5 * kSecond);
  EXPECT_EQ(gcra_adjust(tat, now, -40, rate), tat - 4 * kSecond);
  EXPECT_EQ(gcra_adjust(tat, now, -1000, rate), now);
  // A huge charge saturates instead of overflowing.
  EXPECT_GT(gcra_adjust(tat, now, int64_t{1} << 62, rate), tat);
}

}  // namespace
}  // namespace sluice::auth
