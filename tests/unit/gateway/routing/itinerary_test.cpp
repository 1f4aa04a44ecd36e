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

// A provider that serves endpoints or not; nothing else of it is used here.
class EndpointServing final : public Provider {
 public:
  explicit EndpointServing(bool serving) : serving_(serving) {}
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<AttemptResult> chat(const ChatRequest&, std::string_view,
                                             ChunkSink*) override {
    co_return AttemptResult{};
  }
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest&,
                                                   std::string_view) override {
    co_return AttemptResult{};
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }
  bool serves(Endpoint) const override { return serving_; }

 private:
  std::string name_ = "p";
  bool serving_;
};

TEST_F(ItineraryTest, AnEndpointCallSkipsDeploymentsWhoseProviderLacksIt) {
  EndpointServing yes(true), no(false);
  auto on = [this](const std::string& id, Provider* provider, int priority) {
    deployments_.push_back(std::make_unique<Deployment>(id, provider, id, breaker_config_));
    membership_[deployments_.back().get()] = {deployments_.back().get(), 1, priority};
    return deployments_.back().get();
  };
  Deployment* chat_only = on("chat-only", &no, 0);
  Deployment* serving = on("serving", &yes, 1);
  Deployment* fallback = on("fallback", &yes, 0);
  ModelAlias primary = alias({{chat_only}, {serving}});
  ModelAlias backup = alias({{fallback}});
  Itinerary rerank({&primary, &backup}, 4, Endpoint::rerank);
  EXPECT_EQ(walk(rerank), (std::vector<std::string>{"serving", "fallback", "serving", "fallback"}));
  Itinerary chat({&primary, &backup}, 3);
  EXPECT_EQ(walk(chat), (std::vector<std::string>{"chat-only", "serving", "fallback"}));
  ModelAlias none = alias({{chat_only}});
  Itinerary nothing({&none}, 3, Endpoint::moderations);
  EXPECT_EQ(walk(nothing), (std::vector<std::string>{}));
  EXPECT_EQ(nothing.attempts(), 0);
}

}  // namespace
}  // namespace sluice::gateway
