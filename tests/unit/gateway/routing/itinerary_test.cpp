#include "gateway/routing/itinerary.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

using Clock = std::chrono::steady_clock;

class ItineraryTest : public ::testing::Test {
 protected:
  Deployment* deployment(const std::string& id, int priority, int weight = 1) {
    deployments_.push_back(
        std::make_unique<Deployment>(id, nullptr, id, weight, priority, "", breaker_config_));
    return deployments_.back().get();
  }
  // An alias whose deployments are grouped by priority, lowest first.
  ModelAlias alias(std::vector<std::vector<Deployment*>> levels) {
    ModelAlias a;
    a.priority_groups = std::move(levels);
    return a;
  }
  std::vector<std::string> walk(Itinerary& itinerary) {
    std::vector<std::string> ids;
    while (Deployment* d = itinerary.next(now_, rng_)) ids.push_back(d->id);
    return ids;
  }

  core::CircuitBreakerConfig breaker_config_{2, std::chrono::seconds(30), 1};
  std::vector<std::unique_ptr<Deployment>> deployments_;
  Clock::time_point now_ = Clock::now();
  Rng rng_{42};
};

TEST_F(ItineraryTest, PrioritiesThenFallbacksThenRetryRounds) {
  Deployment* a = deployment("a", 0);
  Deployment* b = deployment("b", 1);
  Deployment* c = deployment("c", 0);
  ModelAlias primary = alias({{a}, {b}});
  ModelAlias fallback = alias({{c}});
  Itinerary itinerary({&primary, &fallback}, 5);
  EXPECT_EQ(walk(itinerary), (std::vector<std::string>{"a", "b", "c", "a", "b"}));
  EXPECT_EQ(itinerary.attempts(), 5);
}

TEST_F(ItineraryTest, RetriesAreMarkedForBackoff) {
  ModelAlias only = alias({{deployment("x", 0)}});
  Itinerary itinerary({&only}, 3);
  ASSERT_NE(itinerary.next(now_, rng_), nullptr);
  EXPECT_FALSE(itinerary.is_retry());
  ASSERT_NE(itinerary.next(now_, rng_), nullptr);
  EXPECT_TRUE(itinerary.is_retry());
  ASSERT_NE(itinerary.next(now_, rng_), nullptr);
  EXPECT_EQ(itinerary.next(now_, rng_), nullptr);  // max_attempts reached
  EXPECT_EQ(itinerary.attempts(), 3);
  itinerary.cancel_last();
  EXPECT_EQ(itinerary.attempts(), 2);
}

TEST_F(ItineraryTest, EveryDeploymentOfALevelIsTriedBeforeTheNext) {
  Deployment* a = deployment("a", 0);
  Deployment* b = deployment("b", 0);
  Deployment* c = deployment("c", 1);
  ModelAlias m = alias({{a, b}, {c}});
  Itinerary itinerary({&m}, 3);
  auto ids = walk(itinerary);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[2], "c");
  EXPECT_NE(ids[0], ids[1]);
}

TEST_F(ItineraryTest, OpenCircuitsAreSkipped) {
  Deployment* a = deployment("a", 0);
  Deployment* b = deployment("b", 1);
  a->breaker.on_failure(now_);
  a->breaker.on_failure(now_);  // threshold 2: open
  ModelAlias m = alias({{a}, {b}});
  Itinerary itinerary({&m}, 4);
  EXPECT_EQ(walk(itinerary), (std::vector<std::string>{"b", "b", "b", "b"}));
  EXPECT_TRUE(itinerary.skipped_open());
}

TEST_F(ItineraryTest, NothingToTryWhenEveryCircuitIsOpen) {
  Deployment* a = deployment("a", 0);
  for (int i = 0; i < 2; ++i) a->breaker.on_failure(now_);
  ModelAlias m = alias({{a}});
  Itinerary itinerary({&m}, 3);
  EXPECT_EQ(itinerary.next(now_, rng_), nullptr);
  EXPECT_EQ(itinerary.attempts(), 0);
  EXPECT_TRUE(itinerary.skipped_open());
}

TEST_F(ItineraryTest, DrainedWeightZeroIsUsedOnlyWhenAlone) {
  Deployment* drained = deployment("drained", 0, 0);
  Deployment* live = deployment("live", 0, 1);
  ModelAlias m = alias({{drained, live}});
  Itinerary itinerary({&m}, 1);
  EXPECT_EQ(walk(itinerary), (std::vector<std::string>{"live"}));
}

}  // namespace
}  // namespace sluice::gateway
