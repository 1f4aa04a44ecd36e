#include "gateway/routing/retry_policy.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's own example.
const std::chrono::system_clock::time_point kExampleDate =
    std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min + 37s;

TEST(ParseRetryAfterTest, DeltaSeconds) {
  const auto now = kExampleDate;
  EXPECT_EQ(parse_retry_after("120", now), milliseconds{120'000});
  EXPECT_EQ(parse_retry_after("0", now), milliseconds{0});
  EXPECT_EQ(parse_retry_after(" 7 ", now), milliseconds{7'000});
  EXPECT_EQ(parse_retry_after("1.5", now), milliseconds{1'500});
  EXPECT_EQ(parse_retry_after("0.0001", now), milliseconds{1});  // rounded up
}

TEST(ParseRetryAfterTest, HugeDeltaIsClampedNotOverflowed) {
  const auto v = parse_retry_after("99999999999999999999999999", kExampleDate);
  ASSERT_TRUE(v.has_value());
  EXPECT_GT(*v, milliseconds{0});
}

TEST(ParseRetryAfterTest, HttpDateInAllThreeForms) {
  const auto now = kExampleDate - 30s;
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds{30'000});
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds{30'000});
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", now), milliseconds{30'000});
}

TEST(ParseRetryAfterTest, SubSecondNowRoundsUp) {
  const auto now = kExampleDate - 1500ms + std::chrono::microseconds{1};
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds{1'500});
}

TEST(ParseRetryAfterTest, TwoDigitYearsResolveToTheNearestCentury) {
  const auto now = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} + 0s;
  // 2030, not 1930: within 50 years ahead.
  const auto v = parse_retry_after("Tuesday, 01-Jan-30 00:00:00 GMT", now);
  ASSERT_TRUE(v.has_value());
  EXPECT_GT(*v, milliseconds{0});
  // 2099 would be more than 50 years ahead, so it is 1999: in the past.
  EXPECT_EQ(parse_retry_after("Friday, 01-Jan-99 00:00:00 GMT", now), milliseconds{0});
}

TEST(ParseRetryAfterTest, PastDateMeansNow) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate + 1h), milliseconds{0});
}

// system_clock counts nanoseconds: years past 2262 or before 1678 once overflowed it.
TEST(ParseRetryAfterTest, DatesOutsideTheClocksRangeDoNotOverflow) {
  using std::chrono::days;
  const auto far_future = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kExampleDate);
  ASSERT_TRUE(far_future.has_value());
  EXPECT_GT(*far_future, days{365} * 8000);
  EXPECT_EQ(parse_retry_after("Sat, 01 Jan 0000 00:00:00 GMT", kExampleDate), milliseconds{0});
  EXPECT_EQ(parse_retry_after("Mon Jan  1 00:00:00 1600", kExampleDate), milliseconds{0});
}

TEST(ParseRetryAfterTest, MalformedValues) {
  for (const char* bad :
       {"", "  ", "-5", "+5", "5s", "1e3", "1.2.3", ".", "soon", "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT x", "Sun Nov  6 08:49:37 94"}) {
    EXPECT_FALSE(parse_retry_after(bad, kExampleDate).has_value()) << "'" << bad << "'";
  }
}

TEST(ParseRetryAfterMsTest, Milliseconds) {
  EXPECT_EQ(parse_retry_after_ms("1500"), milliseconds{1'500});
  EXPECT_EQ(parse_retry_after_ms("20.25"), milliseconds{21});
  EXPECT_EQ(parse_retry_after_ms("0"), milliseconds{0});
  EXPECT_FALSE(parse_retry_after_ms("").has_value());
  EXPECT_FALSE(parse_retry_after_ms("-1").has_value());
  EXPECT_FALSE(parse_retry_after_ms("abc").has_value());
}

core::RetryConfig retry(int attempts, milliseconds base, milliseconds max, milliseconds budget) {
  core::RetryConfig c;
  c.max_attempts = attempts;
  c.base_backoff = base;
  c.max_backoff = max;
  c.budget = budget;
  return c;
}

TEST(RetryBudgetTest, BackoffDoublesUpToTheCapWithFullJitter) {
  // Over many seeds, each attempt's delay stays within [0, min(cap, base * 2^(n-1))] and
  // reaches close to both ends.
  const milliseconds ceilings[] = {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms};
  for (int n = 1; n <= 6; ++n) {
    milliseconds lo = 1h, hi = 0ms;
    for (std::uint64_t seed = 0; seed < 2000; ++seed) {
      RetryBudget b(retry(10, 100ms, 1s, 1h), seed);
      const std::optional<milliseconds> d = b.next_delay(n);
      ASSERT_TRUE(d.has_value());
      lo = std::min(lo, *d);
      hi = std::max(hi, *d);
    }
    const milliseconds ceiling = ceilings[n - 1];
    EXPECT_GE(lo, 0ms) << n;
    EXPECT_LE(lo, ceiling / 20) << n;
    EXPECT_LE(hi, ceiling) << n;
    EXPECT_GE(hi, ceiling * 19 / 20) << n;
  }
}

TEST(RetryBudgetTest, SameSeedSameSchedule) {
  RetryBudget a(retry(10, 100ms, 5s, 1h), 42);
  RetryBudget b(retry(10, 100ms, 5s, 1h), 42);
  for (int n = 1; n < 10; ++n) EXPECT_EQ(a.next_delay(n), b.next_delay(n));
}

TEST(RetryBudgetTest, DifferentSeedsSpreadClients) {
  std::set<long long> delays;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    RetryBudget b(retry(3, 1s, 1s, 1h), seed);
    delays.insert(b.next_delay(1)->count());
  }
  EXPECT_GT(delays.size(), 40u);
}

TEST(RetryBudgetTest, RetryAfterIsAFloor) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    RetryBudget b(retry(3, 100ms, 200ms, 60s), seed);
    EXPECT_EQ(b.next_delay(1, 5s), 5s);
  }
}

TEST(RetryBudgetTest, RetryAfterBeyondTheBudgetGivesUp) {
  RetryBudget b(retry(5, 100ms, 200ms, 10s), 7);
  EXPECT_FALSE(b.next_delay(1, 11s).has_value());
  EXPECT_EQ(b.waited(), 0ms);
  EXPECT_EQ(b.next_delay(1, 6s), 6s);
  EXPECT_FALSE(b.next_delay(2, 5s).has_value());  // only 4s left
  EXPECT_EQ(b.next_delay(2, 4s), 4s);
  EXPECT_EQ(b.remaining(), 0ms);
}

TEST(RetryBudgetTest, BackoffShrinksToFitTheBudget) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    RetryBudget b(retry(10, 1s, 1s, 1500ms), seed);
    milliseconds total{0};
    for (int n = 1; n < 10; ++n) {
      const std::optional<milliseconds> d = b.next_delay(n);
      ASSERT_TRUE(d.has_value());
      total += *d;
    }
    EXPECT_LE(total, 1500ms);
    EXPECT_EQ(total, b.waited());
  }
}

TEST(RetryBudgetTest, ZeroBudgetRetriesWithoutWaiting) {
  RetryBudget b(retry(3, 100ms, 1s, 0ms), 3);
  EXPECT_EQ(b.next_delay(1), 0ms);
  EXPECT_EQ(b.next_delay(2, 0ms), 0ms);
  EXPECT_FALSE(b.next_delay(2, 1ms).has_value());
}

TEST(RetryBudgetTest, ManyAttemptsDoNotOverflow) {
  RetryBudget b(retry(1000, 100ms, 30s, 24h), 9);
  for (int n = 1; n < 1000; ++n) {
    const std::optional<milliseconds> d = b.next_delay(n);
    ASSERT_TRUE(d.has_value()) << n;
    ASSERT_GE(*d, 0ms);
    ASSERT_LE(*d, 30s);
  }
}

}  // namespace
}  // namespace sluice::gateway
