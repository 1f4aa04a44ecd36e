#include "gateway/pricing.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice::gateway {
namespace {

core::PriceConfig price(std::string model, double in, double out, double cached = 0) {
  return {std::move(model), in, out, cached};
}

TEST(PriceTableTest, CostIsPerMillionTokens) {
  const PriceTable t({price("m", 2.0, 8.0, 0.5)});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", 1'000'000, 0), 2.0);
  EXPECT_DOUBLE_EQ(t.cost_usd("m", 0, 1'000'000), 8.0);
  EXPECT_DOUBLE_EQ(t.cost_usd("m", 1'000, 500), (1'000 * 2.0 + 500 * 8.0) / 1e6);
}

TEST(PriceTableTest, CachedPromptTokensUseTheCachedPrice) {
  const PriceTable t({price("m", 2.0, 8.0, 0.5)});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", 1'000, 0, 400), (600 * 2.0 + 400 * 0.5) / 1e6);
}

TEST(PriceTableTest, CachedPriceDefaultsToInputPrice) {
  const PriceTable t({price("m", 2.0, 8.0)});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", 1'000, 0, 400), 1'000 * 2.0 / 1e6);
}

TEST(PriceTableTest, OddCountsAreTamed) {
  const PriceTable t({price("m", 2.0, 8.0, 0.5)});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", -5, -5, -5), 0.0);
  // More cached than prompt tokens: all prompt tokens are cached ones.
  EXPECT_DOUBLE_EQ(t.cost_usd("m", 100, 0, 500), 100 * 0.5 / 1e6);
}

TEST(PriceTableTest, UnknownModelCostsNothingAndSaysSo) {
  const PriceTable t({});
  EXPECT_FALSE(t.has_price("no-such-model"));
  EXPECT_EQ(t.find("no-such-model"), nullptr);
  EXPECT_DOUBLE_EQ(t.cost_usd("no-such-model", 1'000, 1'000), 0.0);
}

TEST(PriceTableTest, ProviderPrefixIsStripped) {
  const PriceTable t({price("my-model", 1.0, 1.0)});
  EXPECT_TRUE(t.has_price("azure/my-model"));
  EXPECT_TRUE(t.has_price("openai/gpt-4o"));
  EXPECT_FALSE(t.has_price("azure/other"));
  EXPECT_FALSE(t.has_price("/"));
  EXPECT_FALSE(t.has_price(""));
}

TEST(PriceTableTest, ExactMatchBeatsPrefixStripping) {
  const PriceTable t({price("meta-llama/llama-3", 5.0, 5.0), price("llama-3", 1.0, 1.0)});
  EXPECT_DOUBLE_EQ(t.find("meta-llama/llama-3")->input_per_million, 5.0);
  EXPECT_DOUBLE_EQ(t.find("groq/llama-3")->input_per_million, 1.0);
}

TEST(PriceTableTest, ConfigOverridesBuiltins) {
  const PriceTable t({price("gpt-4o", 1.0, 2.0)});
  EXPECT_DOUBLE_EQ(t.find("gpt-4o")->input_per_million, 1.0);
  EXPECT_DOUBLE_EQ(t.find("openai/gpt-4o")->input_per_million, 1.0);
  EXPECT_DOUBLE_EQ(t.find("gpt-4o-mini")->input_per_million, 0.15);
}

TEST(PriceTableTest, BuiltinsCoverWellKnownModels) {
  const PriceTable t({});
  for (const char* model :
       {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3-mini", "claude-3-5-sonnet-latest",
        "claude-sonnet-4", "claude-3-5-haiku-latest", "text-embedding-3-small",
        "text-embedding-3-large", "llama-3.1-8b-instant"}) {
    EXPECT_TRUE(t.has_price(model)) << model;
  }
  EXPECT_DOUBLE_EQ(t.cost_usd("gpt-4o", 1'000'000, 1'000'000), 2.5 + 10.0);
  EXPECT_DOUBLE_EQ(t.cost_usd("text-embedding-3-small", 1'000'000, 0), 0.02);
}

TEST(PriceTableTest, BuiltinsAreSaneAndUnique) {
  std::set<std::string> seen;
  for (const core::PriceConfig& p : builtin_prices()) {
    EXPECT_TRUE(seen.insert(p.model).second) << p.model;
    EXPECT_GT(p.input_per_million, 0) << p.model;
    EXPECT_GE(p.output_per_million, 0) << p.model;
    EXPECT_LE(p.cached_input_per_million, p.input_per_million) << p.model;
  }
}

TEST(PriceTableTest, LastDuplicateConfigEntryWins) {
  const PriceTable t({price("m", 1.0, 1.0), price("m", 3.0, 3.0)});
  EXPECT_DOUBLE_EQ(t.find("m")->input_per_million, 3.0);
}

}  // namespace
}  // namespace sluice::gateway
