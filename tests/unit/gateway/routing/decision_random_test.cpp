// gateway.random_seed's generators: the first thread to draw gets Rng(seed) itself (what a
// one-loop server and a simulated replica draw from), later threads streams of their own.
#include "gateway/routing/decision_random.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace sluice::gateway {
namespace {

TEST(DecisionRandomTest, TheFirstThreadDrawsFromTheSeedItself) {
  DecisionRandom random(42);
  Rng expected(42);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(random.local()(), expected());
  EXPECT_EQ(DecisionRandom::stream_seed(42, 0), 42u);
}

TEST(DecisionRandomTest, EachThreadHasItsOwnStreamInTheOrderThreadsFirstDraw) {
  DecisionRandom random(7);
  const std::uint64_t first = random.local()();
  std::uint64_t second = 0;
  std::thread other([&] { second = random.local()(); });
  other.join();
  EXPECT_EQ(first, Rng(7)());
  EXPECT_EQ(second, Rng(DecisionRandom::stream_seed(7, 1))());
  EXPECT_NE(DecisionRandom::stream_seed(7, 1), 7u);
  // Back on this thread: its own stream goes on where it was.
  Rng again(7);
  again();
  EXPECT_EQ(random.local()(), again());
}

TEST(DecisionRandomTest, TwoInstancesOnOneThreadKeepTheirOwnStreams) {
  DecisionRandom a(1);
  DecisionRandom b(2);
  Rng ra(1);
  Rng rb(2);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(a.local()(), ra());
    ASSERT_EQ(b.local()(), rb());
  }
}

TEST(DecisionRandomTest, SeedsFromEntropyFitInAJsonNumber) {
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 16; ++i) {
    const std::uint64_t seed = DecisionRandom::from_entropy();
    EXPECT_LT(seed, std::uint64_t{1} << 53);
    seen.insert(seed);
  }
  EXPECT_GT(seen.size(), 1u);
}

}  // namespace
}  // namespace sluice::gateway
