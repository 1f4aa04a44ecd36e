#include "auth/local_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice::auth {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class LocalLimiterTest : public ::testing::Test {
 protected:
  bool acquire(std::vector<LimitCheck> checks, std::vector<LimitState>* states = nullptr) {
    std::vector<LimitState> out(checks.size());
    const bool admitted = limiter_.acquire(checks, out, now_);
    if (states) *states = out;
    return admitted;
  }

  int64_t now_ = 1000 * kSecond;
  LocalLimiter limiter_{1000};
};

TEST_F(LocalLimiterTest, KeysAreLimitedApart) {
  const Rate rate = Rate::per_period(60, 60 * kSecond, 2);
  EXPECT_TRUE(acquire({{1, rate, 1}}));
  EXPECT_TRUE(acquire({{1, rate, 1}}));
  EXPECT_FALSE(acquire({{1, rate, 1}}));
  EXPECT_TRUE(acquire({{2, rate, 1}}));
  now_ += kSecond;
  EXPECT_TRUE(acquire({{1, rate, 1}}));
}

TEST_F(LocalLimiterTest, ARefusalChargesNoOtherCheck) {
  const Rate roomy = Rate::per_period(60, 60 * kSecond, 10);
  const Rate tight = Rate::per_period(60, 60 * kSecond, 1);
  EXPECT_TRUE(acquire({{1, roomy, 1}, {2, tight, 1}}));
  std::vector<LimitState> states;
  EXPECT_FALSE(acquire({{1, roomy, 1}, {2, tight, 1}, {3, roomy, 1}}, &states));
  EXPECT_TRUE(states[0].allowed);
  EXPECT_EQ(states[0].remaining, 9);  // as before the refused request
  EXPECT_FALSE(states[1].allowed);
  EXPECT_EQ(states[1].retry_after_ns, kSecond);
  EXPECT_EQ(states[2].remaining, 10);  // never charged
}

TEST_F(LocalLimiterTest, AdjustSettlesAnEstimate) {
  const Rate tokens = Rate::per_period(600, 60 * kSecond, 600);
  std::vector<LimitState> states;
  ASSERT_TRUE(acquire({{7, tokens, 500}}, &states));
  EXPECT_EQ(states[0].remaining, 100);
  limiter_.adjust({7, tokens, 500}, -400, now_);  // used 100
  ASSERT_TRUE(acquire({{7, tokens, 0}}, &states));
  EXPECT_EQ(states[0].remaining, 500);
  limiter_.adjust({7, tokens, 0}, 550, now_);  // a call that used more than it reserved
  EXPECT_FALSE(acquire({{7, tokens, 1}}, &states));
  EXPECT_EQ(states[0].retry_after_ns, kSecond / 10 * 51);
}

TEST_F(LocalLimiterTest, TracksAtMostItsBoundForgettingIdleKeysFirst) {
  const Rate rate = Rate::per_period(60, 60 * kSecond, 1);
  for (uint64_t key = 0; key < 5000; ++key) acquire({{key * 0x9E3779B97F4A7C15ull, rate, 1}});
  EXPECT_LE(limiter_.tracked(), 1000u + 64u);
  // A minute later every entry is in the past: room is made from them, and a key seen again
  // starts from a full burst, as it would had it been kept.
  now_ += 60 * kSecond;
  EXPECT_TRUE(acquire({{0, rate, 1}}));
  EXPECT_FALSE(acquire({{0, rate, 1}}));
}

TEST_F(LocalLimiterTest, ThreadsSharingKeysAdmitExactlyTheBurst) {
  // The clock stands still: only the burst may pass, however the threads interleave.
  constexpr int kKeys = 8;
  constexpr int kBurst = 1000;
  const Rate rate = Rate::per_period(60, 60 * kSecond, kBurst);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeys * kBurst; ++i) {
        const LimitCheck check{static_cast<uint64_t>((i + t) % kKeys) + 1, rate, 1};
        LimitState state;
        if (limiter_.acquire(std::span(&check, 1), std::span(&state, 1), now_)) ++admitted;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), kKeys * kBurst);
}

}  // namespace
}  // namespace sluice::auth
