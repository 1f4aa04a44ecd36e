#include "gateway/routing/balancer.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;

// How often each index is picked over `rounds` picks.
std::vector<int> histogram(Strategy strategy, const std::vector<Candidate>& candidates, int rounds,
                           std::uint64_t seed = 1) {
  Rng rng(seed);
  std::vector<int> counts(candidates.size());
  for (int i = 0; i < rounds; ++i) ++counts.at(pick(strategy, candidates, rng));
  return counts;
}

TEST(StrategyTest, ParsesAndPrints) {
  for (Strategy s : {Strategy::weighted, Strategy::least_outstanding, Strategy::lowest_latency}) {
    EXPECT_EQ(parse_strategy(to_string(s)), s);
  }
  EXPECT_FALSE(parse_strategy("round_robin").has_value());
  EXPECT_FALSE(parse_strategy("").has_value());
  EXPECT_FALSE(parse_strategy("Weighted").has_value());
}

TEST(DeploymentStatsTest, CountsOutstandingRequests) {
  DeploymentStats s;
  s.begin();
  s.begin();
  EXPECT_EQ(s.outstanding(), 2);
  s.end(10ms, true);
  EXPECT_EQ(s.outstanding(), 1);
  s.end(10ms, false);
  EXPECT_EQ(s.outstanding(), 0);
  EXPECT_EQ(s.successes(), 1u);
  EXPECT_EQ(s.failures(), 1u);
}

TEST(DeploymentStatsTest, LatencyIsAnEwmaOfSuccesses) {
  DeploymentStats s;
  EXPECT_FALSE(s.latency_ms().has_value());
  s.begin();
  s.end(100ms, true);
  EXPECT_DOUBLE_EQ(*s.latency_ms(), 100.0);  // the first sample is taken as is
  s.begin();
  s.end(200ms, true);
  EXPECT_DOUBLE_EQ(*s.latency_ms(), 0.3 * 200 + 0.7 * 100);
  s.begin();
  s.end(1ms, false);  // failures leave the average alone
  EXPECT_DOUBLE_EQ(*s.latency_ms(), 130.0);
  s.begin();
  s.end(std::chrono::microseconds{500}, true);
  EXPECT_DOUBLE_EQ(*s.latency_ms(), 0.3 * 0.5 + 0.7 * 130);
}

TEST(DeploymentStatsTest, ConcurrentUpdatesAreNotLost) {
  DeploymentStats s;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        s.begin();
        s.end(50ms, true);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(s.outstanding(), 0);
  EXPECT_EQ(s.successes(), 40'000u);
  EXPECT_DOUBLE_EQ(*s.latency_ms(), 50.0);
}

TEST(PickTest, SingleCandidate) {
  Rng rng(1);
  const std::vector<Candidate> one = {{0, nullptr}};
  for (Strategy s : {Strategy::weighted, Strategy::least_outstanding, Strategy::lowest_latency}) {
    EXPECT_EQ(pick(s, one, rng), 0u);
  }
}

TEST(PickTest, WeightedFollowsWeights) {
  const std::vector<Candidate> c = {{1, nullptr}, {3, nullptr}, {0, nullptr}, {6, nullptr}};
  const std::vector<int> counts = histogram(Strategy::weighted, c, 100'000);
  EXPECT_NEAR(counts[0], 10'000, 1'000);
  EXPECT_NEAR(counts[1], 30'000, 1'500);
  EXPECT_EQ(counts[2], 0);
  EXPECT_NEAR(counts[3], 60'000, 1'500);
}

TEST(PickTest, WeightedWithAllZeroIsUniform) {
  const std::vector<Candidate> c = {{0, nullptr}, {0, nullptr}, {-2, nullptr}};
  const std::vector<int> counts = histogram(Strategy::weighted, c, 30'000);
  for (int n : counts) EXPECT_NEAR(n, 10'000, 1'000);
}

TEST(PickTest, NegativeWeightCountsAsZero) {
  const std::vector<Candidate> c = {{-5, nullptr}, {1, nullptr}};
  EXPECT_EQ(histogram(Strategy::weighted, c, 1'000)[0], 0);
}

TEST(PickTest, LeastOutstandingPicksTheIdlest) {
  DeploymentStats busy, idle, medium;
  for (int i = 0; i < 5; ++i) busy.begin();
  medium.begin();
  const std::vector<Candidate> c = {{1, &busy}, {1, &idle}, {1, &medium}};
  EXPECT_EQ(histogram(Strategy::least_outstanding, c, 100)[1], 100);
}

TEST(PickTest, LeastOutstandingBreaksTiesAtRandom) {
  DeploymentStats a, b, c, busy;
  busy.begin();
  const std::vector<Candidate> cs = {{1, &a}, {1, &busy}, {1, &b}, {1, &c}};
  const std::vector<int> counts = histogram(Strategy::least_outstanding, cs, 30'000);
  EXPECT_EQ(counts[1], 0);
  for (int i : {0, 2, 3}) EXPECT_NEAR(counts[i], 10'000, 1'000) << i;
}

TEST(PickTest, WeightZeroIsDrainedForEveryStrategy) {
  DeploymentStats idle, busy;
  busy.begin();
  const std::vector<Candidate> c = {{0, &idle}, {1, &busy}};
  EXPECT_EQ(histogram(Strategy::least_outstanding, c, 100)[1], 100);
  EXPECT_EQ(histogram(Strategy::lowest_latency, c, 100)[1], 100);
  // ...unless everything is drained.
  const std::vector<Candidate> all_zero = {{0, &idle}, {0, &busy}};
  EXPECT_EQ(histogram(Strategy::least_outstanding, all_zero, 100)[0], 100);
}

TEST(PickTest, LowestLatencyMeasuresEveryoneFirst) {
  DeploymentStats fast, slow, unmeasured;
  fast.begin();
  fast.end(10ms, true);
  slow.begin();
  slow.end(500ms, true);
  const std::vector<Candidate> c = {{1, &fast}, {1, &slow}, {1, &unmeasured}};
  EXPECT_EQ(histogram(Strategy::lowest_latency, c, 100)[2], 100);
  unmeasured.begin();
  unmeasured.end(100ms, true);
  EXPECT_EQ(histogram(Strategy::lowest_latency, c, 100)[0], 100);
}

TEST(PickTest, LowestLatencySpreadsAmongUnmeasured) {
  DeploymentStats a, b;
  const std::vector<Candidate> c = {{1, &a}, {1, &b}, {1, nullptr}};
  const std::vector<int> counts = histogram(Strategy::lowest_latency, c, 30'000);
  for (int n : counts) EXPECT_NEAR(n, 10'000, 1'000);
}

TEST(PickTest, LowestLatencyBreaksTiesAtRandom) {
  DeploymentStats a, b;
  a.begin();
  a.end(20ms, true);
  b.begin();
  b.end(20ms, true);
  const std::vector<Candidate> c = {{1, &a}, {1, &b}};
  const std::vector<int> counts = histogram(Strategy::lowest_latency, c, 20'000);
  EXPECT_NEAR(counts[0], 10'000, 1'000);
}

TEST(PickTest, SameSeedSameChoices) {
  const std::vector<Candidate> c = {{1, nullptr}, {2, nullptr}, {3, nullptr}};
  EXPECT_EQ(histogram(Strategy::weighted, c, 1'000, 99),
            histogram(Strategy::weighted, c, 1'000, 99));
}

}  // namespace
}  // namespace sluice::gateway
