#include "gateway/routing/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice::gateway {
namespace {

using State = CircuitBreaker::State;
using namespace std::chrono_literals;

core::CircuitBreakerConfig config(int threshold, std::chrono::milliseconds cooldown,
                                  int probes = 1) {
  core::CircuitBreakerConfig c;
  c.failure_threshold = threshold;
  c.cooldown = cooldown;
  c.half_open_requests = probes;
  return c;
}

const CircuitBreaker::Clock::time_point t0{std::chrono::hours(1)};

TEST(CircuitBreakerTest, StartsClosedAndAdmitsEverything) {
  CircuitBreaker b(config(3, 10s));
  EXPECT_EQ(b.state(t0), State::closed);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(b.allow(t0));
}

TEST(CircuitBreakerTest, OpensAfterThresholdConsecutiveFailures) {
  CircuitBreaker b(config(3, 10s));
  b.on_failure(t0);
  b.on_failure(t0);
  EXPECT_EQ(b.state(t0), State::closed);
  EXPECT_TRUE(b.allow(t0));
  b.on_failure(t0);
  EXPECT_EQ(b.state(t0), State::open);
  EXPECT_FALSE(b.allow(t0));
  EXPECT_FALSE(b.allow(t0 + 9999ms));
}

TEST(CircuitBreakerTest, SuccessResetsTheFailureCount) {
  CircuitBreaker b(config(3, 10s));
  b.on_failure(t0);
  b.on_failure(t0);
  b.on_success(t0);
  b.on_failure(t0);
  b.on_failure(t0);
  EXPECT_EQ(b.state(t0), State::closed);
  b.on_failure(t0);
  EXPECT_EQ(b.state(t0), State::open);
}

TEST(CircuitBreakerTest, HalfOpenAfterCooldownAdmitsLimitedProbes) {
  CircuitBreaker b(config(1, 10s, 2));
  b.on_failure(t0);
  EXPECT_EQ(b.state(t0 + 10s), State::half_open);  // reading does not transition
  EXPECT_TRUE(b.allow(t0 + 10s));
  EXPECT_EQ(b.state(t0 + 10s), State::half_open);
  EXPECT_TRUE(b.allow(t0 + 10s));
  EXPECT_FALSE(b.allow(t0 + 10s));
  EXPECT_FALSE(b.allow(t0 + 11s));
}

TEST(CircuitBreakerTest, ProbeSuccessCloses) {
  CircuitBreaker b(config(2, 10s));
  b.on_failure(t0);
  b.on_failure(t0);
  ASSERT_TRUE(b.allow(t0 + 10s));
  b.on_success(t0 + 10s);
  EXPECT_EQ(b.state(t0 + 10s), State::closed);
  EXPECT_TRUE(b.allow(t0 + 10s));
  // The failure count restarted: one failure does not reopen a threshold-2 breaker.
  b.on_failure(t0 + 11s);
  EXPECT_EQ(b.state(t0 + 11s), State::closed);
}

TEST(CircuitBreakerTest, ProbeFailureReopensAndRestartsCooldown) {
  CircuitBreaker b(config(1, 10s));
  b.on_failure(t0);
  ASSERT_TRUE(b.allow(t0 + 15s));
  b.on_failure(t0 + 15s);
  EXPECT_EQ(b.state(t0 + 15s), State::open);
  EXPECT_FALSE(b.allow(t0 + 24s));
  EXPECT_TRUE(b.allow(t0 + 25s));
}

TEST(CircuitBreakerTest, StragglersWhileOpenChangeNothing) {
  CircuitBreaker b(config(1, 10s));
  b.on_failure(t0);
  b.on_success(t0 + 1s);  // admitted before the circuit opened
  EXPECT_EQ(b.state(t0 + 1s), State::open);
  b.on_failure(t0 + 9s);  // must not push the cooldown back
  EXPECT_TRUE(b.allow(t0 + 10s));
}

TEST(CircuitBreakerTest, LostProbeIsReplacedAfterAnotherCooldown) {
  CircuitBreaker b(config(1, 10s));
  b.on_failure(t0);
  ASSERT_TRUE(b.allow(t0 + 10s));  // this probe never reports back
  EXPECT_FALSE(b.allow(t0 + 19s));
  EXPECT_TRUE(b.allow(t0 + 20s));
  EXPECT_FALSE(b.allow(t0 + 20s));
}

TEST(CircuitBreakerTest, NonsenseConfigIsClampedToUsable) {
  CircuitBreaker b(config(0, 1s, 0));
  EXPECT_TRUE(b.allow(t0));
  b.on_failure(t0);
  EXPECT_EQ(b.state(t0), State::open);
  EXPECT_TRUE(b.allow(t0 + 1s));  // at least one probe
}

TEST(CircuitBreakerTest, StateNames) {
  EXPECT_EQ(to_string(State::closed), "closed");
  EXPECT_EQ(to_string(State::open), "open");
  EXPECT_EQ(to_string(State::half_open), "half_open");
}

TEST(CircuitBreakerTest, ConcurrentProbesNeverExceedTheLimit) {
  CircuitBreaker b(config(1, 10s, 3));
  b.on_failure(t0);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (b.allow(t0 + 10s)) admitted.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 3);
}

TEST(CircuitBreakerTest, ConcurrentFailuresAreAllCounted) {
  CircuitBreaker b(config(100, 10s));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (b.allow(t0)) b.on_failure(t0);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(b.state(t0), State::open);
  EXPECT_FALSE(b.allow(t0 + 9s));
}

}  // namespace
}  // namespace sluice::gateway
