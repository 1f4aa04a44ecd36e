#include "gateway/routing/catalog.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

core::GatewayConfig config_with(std::string default_provider) {
  core::GatewayConfig config;
  core::ProviderConfig a;
  a.name = "a";
  a.type = "mock";
  core::ProviderConfig b = a;
  b.name = "b";
  config.providers = {a, b};
  core::ModelAliasConfig fast;
  fast.alias = "fast";
  fast.deployments = {{"a", "m1", 1, 1, ""}, {"b", "m2", 1, 0, ""}};
  fast.fallbacks = {"slow"};
  core::ModelAliasConfig slow;
  slow.alias = "slow";
  slow.deployments = {{"b", "m3", 1, 0, ""}};
  config.models = {fast, slow};
  config.default_provider = std::move(default_provider);
  return config;
}

TEST(CatalogTest, AliasesResolveWithFallbacksAndPriorityLevels) {
  auto catalog = Catalog::build(config_with(""));
  ASSERT_TRUE(catalog.ok());
  auto chain = (*catalog)->resolve("fast");
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2u);
  const ModelAlias& fast = *(*chain)[0];
  ASSERT_EQ(fast.priority_groups.size(), 2u);
  EXPECT_EQ(fast.priority_groups[0][0]->id, "b/m2");  // priority 0 first
  EXPECT_EQ(fast.priority_groups[1][0]->id, "a/m1");
  EXPECT_EQ((*chain)[1]->name, "slow");
  EXPECT_EQ((*catalog)->alias_names(), (std::vector<std::string>{"fast", "slow"}));
}

TEST(CatalogTest, ProviderSlashModelAndDefaultProvider) {
  auto strict = Catalog::build(config_with(""));
  auto direct = (*strict)->resolve("a/custom-model");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ((*direct)[0]->priority_groups[0][0]->id, "a/custom-model");
  EXPECT_EQ((*direct)[0]->priority_groups[0][0]->upstream_model, "custom-model");
  auto unknown = (*strict)->resolve("gpt-unknown");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  EXPECT_EQ(unknown.error().code_detail, "model_not_found");
  auto open = Catalog::build(config_with("b"));
  auto passthrough = (*open)->resolve("gpt-unknown");
  ASSERT_TRUE(passthrough.ok());
  EXPECT_EQ((*passthrough)[0]->priority_groups[0][0]->id, "b/gpt-unknown");
  // The same name maps to the same deployment (one breaker, one metrics label).
  EXPECT_EQ((*(*open)->resolve("gpt-unknown"))[0], (*passthrough)[0]);
}

TEST(CatalogTest, OnDemandModelsAreBounded) {
  auto catalog = Catalog::build(config_with("a"));
  for (std::size_t i = 0; i < kMaxDynamicModels; ++i)
    ASSERT_TRUE((*catalog)->resolve("model-" + std::to_string(i)).ok());
  EXPECT_FALSE((*catalog)->resolve("one-too-many").ok());
  EXPECT_TRUE((*catalog)->resolve("model-7").ok());  // known ones keep working
}

TEST(CatalogTest, AvailabilityFollowsConfiguredCircuits) {
  auto catalog = Catalog::build(config_with(""));
  const auto now = std::chrono::steady_clock::now();
  EXPECT_TRUE((*catalog)->any_available(now));
  for (const Deployment* d : (*catalog)->deployments())
    for (int i = 0; i < 5; ++i) const_cast<Deployment*>(d)->breaker.on_failure(now);
  EXPECT_FALSE((*catalog)->any_available(now));
}

}  // namespace
}  // namespace sluice::gateway
