// The virtual clock: timer order, cancellation, and the gateway's Timing on it.
#include "sim/engine/engine.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <vector>

#include "sim/engine/virtual_timing.hpp"

namespace sluice::sim {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(EngineTest, TimersFireByTimeThenInTheOrderTheyWereSet) {
  Engine engine;
  std::vector<std::string> fired;
  const auto sleeper = [&](std::string name, Clock::duration after) -> asio::awaitable<void> {
    Alarm alarm(engine);
    co_await alarm.wait_until(kStart + after);
    fired.push_back(name + "@" + std::to_string(seconds_since_start(engine.now())));
  };
  asio::co_spawn(engine.io(), sleeper("c", 3s), rethrow_on_error);
  asio::co_spawn(engine.io(), sleeper("a", 1s), rethrow_on_error);
  asio::co_spawn(engine.io(), sleeper("b1", 2s), rethrow_on_error);
  asio::co_spawn(engine.io(), sleeper("b2", 2s), rethrow_on_error);
  engine.run();
  EXPECT_EQ(fired,
            (std::vector<std::string>{"a@1.000000", "b1@2.000000", "b2@2.000000", "c@3.000000"}));
  EXPECT_EQ(engine.timers_fired(), 4u);
}

TEST(EngineTest, CancelWakesTheWaiterAtOnceWithFalse) {
  Engine engine;
  Alarm alarm(engine);
  std::optional<bool> result;
  Time woke{};
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        result = co_await alarm.wait_until(kStart + 1h);
        woke = engine.now();
      },
      rethrow_on_error);
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        Alarm mine(engine);
        co_await mine.wait_until(kStart + 5s);
        alarm.cancel();
        alarm.cancel();  // nothing pending any more: nothing happens
      },
      rethrow_on_error);
  engine.run();
  ASSERT_TRUE(result);
  EXPECT_FALSE(*result);
  EXPECT_EQ(woke, kStart + 5s);
}

TEST(EngineTest, AnHourPassesWithoutWaiting) {
  Engine engine;
  int ticks = 0;
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        Alarm alarm(engine);
        for (int i = 1; i <= 3600; ++i) {
          co_await alarm.wait_until(kStart + std::chrono::seconds(i));
          ++ticks;
        }
      },
      rethrow_on_error);
  const auto started = std::chrono::steady_clock::now();
  engine.run();
  EXPECT_EQ(ticks, 3600);
  EXPECT_EQ(engine.now(), kStart + 1h);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(EngineTest, AnExceptionInACoroutineEndsTheRun) {
  Engine engine;
  asio::co_spawn(
      engine.io(),
      []() -> asio::awaitable<void> {
        throw std::runtime_error("boom");
        co_return;
      },
      rethrow_on_error);
  EXPECT_THROW(engine.run(), std::runtime_error);
}

TEST(EngineTest, AbandonDestroysTheCoroutinesARunLeftPending) {
  struct Flag {
    bool* destroyed;
    ~Flag() { *destroyed = true; }
  };
  bool destroyed = false;
  Engine engine;
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        Flag flag{&destroyed};
        Alarm alarm(engine);
        co_await alarm.wait_until(kStart + 1h);
      },
      rethrow_on_error);
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        Alarm alarm(engine);
        co_await alarm.wait_until(kStart + 1s);
        throw std::runtime_error("cut short");
      },
      rethrow_on_error);
  EXPECT_THROW(engine.run(), std::runtime_error);
  EXPECT_FALSE(destroyed);
  engine.abandon();
  EXPECT_TRUE(destroyed);
}

// VirtualTiming keeps real_timing()'s contract, which GatewayService's backoffs rely on.
TEST(VirtualTimingTest, SleepIsCutShortByTheDeadlineAndByCancellation) {
  Engine engine;
  VirtualTiming timing(engine);
  std::vector<std::pair<bool, double>> results;  // (whole delay passed, seconds when it ended)
  core::Cancellation cancellation;
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        gateway::RequestLimits limits;
        limits.deadline = timing.now() + 3s;
        bool whole = co_await timing.sleep(1s, limits);
        results.emplace_back(whole, seconds_since_start(timing.now()));
        whole = co_await timing.sleep(10s, limits);  // the deadline comes first
        results.emplace_back(whole, seconds_since_start(timing.now()));
        limits.deadline = Time::max();
        limits.cancellation = &cancellation;
        whole = co_await timing.sleep(1h, limits);  // cancelled at 5 s
        results.emplace_back(whole, seconds_since_start(timing.now()));
      },
      rethrow_on_error);
  asio::co_spawn(
      engine.io(),
      [&]() -> asio::awaitable<void> {
        Alarm alarm(engine);
        co_await alarm.wait_until(kStart + 5s);
        cancellation.cancel(core::Cancellation::Reason::client_gone);
      },
      rethrow_on_error);
  engine.run();
  EXPECT_EQ(results, (std::vector<std::pair<bool, double>>{{true, 1}, {false, 3}, {false, 5}}));
}

}  // namespace
}  // namespace sluice::sim
