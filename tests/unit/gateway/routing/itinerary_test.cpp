#include "gateway/routing/itinerary.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sluice::gateway {
namespace {

using Clock = std::chrono::steady_clock;

class ItineraryTest : public ::testing::Test {
 protected:
  Deployment* deployment(const std::string& id, int priority, int weight = 1) {
    deployments_.push_back(std::make_unique<Deployment>(id, nullptr, id, breaker_config_));
    membership_[deployments_.back().get()] = {deployments_.back().get(), weight, priority};
    return deployments_.back().get();
  }
  // An alias whose deployments are grouped by priority, lowest first.
  ModelAlias alias(std::vector<std::vector<Deployment*>> levels) {
    ModelAlias a;
    for (const auto& level : levels) {
      a.priority_groups.emplace_back();
      for (Deployment* d : level) a.priority_groups.back().push_back(membership_.at(d));
    }
    return a;
  }
  std::vector<std::string> walk(Itinerary& itinerary) {
    std::vector<std::string> ids;
    while (Deployment* d = itinerary.next(now_, rng_)) ids.push_back(d->id);
    return ids;
  }

  core::CircuitBreakerConfig breaker_config_{2, std::chrono::seconds(30), 1};
  std::vector<std::unique_ptr<Deployment>> deployments_;
  std::map<Deployment*, AliasMember> membership_;
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

TEST_F(ItineraryTest, WeightsBelongToTheAliasNotTheSharedDeployment) {
  Deployment* shared = deployment("shared", 0);
  Deployment* other = deployment("other", 0);
  ModelAlias drains_shared;
  drains_shared.priority_groups = {{{shared, 0, 0}, {other, 1, 0}}};
  ModelAlias uses_shared;
  uses_shared.priority_groups = {{{shared, 1, 0}, {other, 0, 0}}};
  Itinerary first({&drains_shared}, 1);
  EXPECT_EQ(walk(first), (std::vector<std::string>{"other"}));
  Itinerary second({&uses_shared}, 1);
  EXPECT_EQ(walk(second), (std::vector<std::string>{"shared"}));
}

}  // namespace
}  // namespace sluice::gateway
