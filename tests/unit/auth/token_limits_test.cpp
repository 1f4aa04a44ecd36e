#include "auth/token_limits.hpp"

#include <gtest/gtest.h>

#include "auth/local_limiter.hpp"

namespace sluice::auth {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class TokenLimitsTest : public ::testing::Test {
 protected:
  TokenLimitsTest() : tokens_(config(), limiter_) {}
  static core::RateLimitConfig config() {
    core::RateLimitConfig c;
    c.key_tokens_per_minute = 6000;  // a hundred a second
    return c;
  }

  int64_t now_ = 1000 * kSecond;
  LocalLimiter limiter_{1000};
  TokenLimits tokens_;
  gateway::Caller app_{"virtual", "key-1"};
};

TEST_F(TokenLimitsTest, ReservesTheEstimateAndSettlesWithTheUsage) {
  auto first = tokens_.reserve(app_, "fast", 5000, now_);
  ASSERT_TRUE(first.admitted);
  EXPECT_EQ(first.report.limit, 6000);
  EXPECT_EQ(first.report.remaining, 1000);
  EXPECT_FALSE(tokens_.reserve(app_, "fast", 2000, now_).admitted);
  EXPECT_EQ(tokens_.refused(), 1u);
  tokens_.settle(first, 1000, now_);  // it used a fifth of the estimate: the rest comes back
  auto second = tokens_.reserve(app_, "fast", 2000, now_);
  ASSERT_TRUE(second.admitted);
  EXPECT_EQ(second.report.remaining, 3000);
}

TEST_F(TokenLimitsTest, AFailedCallRefundsAndACallBeyondItsEstimateCharges) {
  auto failed = tokens_.reserve(app_, "fast", 6000, now_);
  ASSERT_TRUE(failed.admitted);
  tokens_.settle(failed, 0, now_);
  auto heavy = tokens_.reserve(app_, "fast", 100, now_);
  ASSERT_TRUE(heavy.admitted);
  EXPECT_EQ(heavy.report.remaining, 5900);
  tokens_.settle(heavy, 6500, now_);  // a minute's worth and 500 more: five seconds in debt
  auto refused = tokens_.reserve(app_, "fast", 100, now_);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_ns, 6 * kSecond);  // the debt, then a second for these 100
}

TEST_F(TokenLimitsTest, LimitsArePerKeyAndModel) {
  ASSERT_TRUE(tokens_.reserve(app_, "fast", 6000, now_).admitted);
  EXPECT_FALSE(tokens_.reserve(app_, "fast", 1, now_).admitted);
  EXPECT_TRUE(tokens_.reserve(app_, "smart", 6000, now_).admitted);
  EXPECT_TRUE(tokens_.reserve({"virtual", "key-2"}, "fast", 6000, now_).admitted);
  // A key's own limit wins over the default; callers without a key are not limited.
  EXPECT_EQ(tokens_.reserve({"virtual", "key-3", {}, 60}, "fast", 10, now_).report.limit, 60);
  const auto anonymous = tokens_.reserve({}, "fast", 1'000'000, now_);
  EXPECT_TRUE(anonymous.admitted);
  EXPECT_EQ(anonymous.bucket, 0u);
}

TEST_F(TokenLimitsTest, AnEstimateAboveTheLimitWaitsForAFullMinuteInsteadOfNeverPassing) {
  auto big = tokens_.reserve(app_, "fast", 50'000, now_);
  ASSERT_TRUE(big.admitted);
  EXPECT_EQ(big.reserved, 6000);
  EXPECT_EQ(big.report.remaining, 0);
}

}  // namespace
}  // namespace sluice::auth
