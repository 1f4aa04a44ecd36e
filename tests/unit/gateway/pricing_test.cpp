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

Usage usage(long long prompt, long long completion, long long cache_read, long long cache_write) {
  Usage u;
  u.prompt_tokens = prompt;
  u.completion_tokens = completion;
  u.cached_tokens = cache_read;
  u.cache_write_tokens = cache_write;
  return u;
}

TEST(PriceTableTest, OpenAiCachedTokensAreAPartOfThePromptPricedAtTheCachedPrice) {
  // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million tokens. OpenAI reports
  // prompt_tokens 10,000 of which cached_tokens 8,000, and 500 completion tokens:
  //   2,000 x 2.50 + 8,000 x 1.25 + 500 x 10 = 5,000 + 10,000 + 5,000 = 20,000 per 1e6
  //   = $0.02 (the whole prompt at the input price would have been $0.03).
  const PriceTable t({});
  EXPECT_DOUBLE_EQ(t.cost_usd("gpt-4o", usage(10'000, 500, 8'000, 0)), 0.02);
}

TEST(PriceTableTest, AnthropicCacheReadsAndWritesArePricedApartAndNeverTwice) {
  // claude-sonnet-4: $3 input, $0.30 cache reads, $3.75 cache writes, $15 output. Anthropic
  // reports input_tokens 1,000, cache_read_input_tokens 20,000, cache_creation_input_tokens
  // 4,000 and output_tokens 300; the gateway's prompt_tokens is their sum, 25,000:
  //   1,000 x 3 + 20,000 x 0.30 + 4,000 x 3.75 + 300 x 15
  //   = 3,000 + 6,000 + 15,000 + 4,500 = 28,500 per 1e6 = $0.0285.
  // Counting the cached tokens as input as well would give 28,500 + 24,000 x 3 = $0.1005.
  const PriceTable t({});
  EXPECT_DOUBLE_EQ(t.cost_usd("claude-sonnet-4", usage(25'000, 300, 20'000, 4'000)), 0.0285);
}

TEST(PriceTableTest, ConfiguredCacheWritePrice) {
  // {input 2, output 8, cached 0.5, cache write 2.5}: 100 uncached, 300 read, 600 written, 10 out:
  //   100 x 2 + 300 x 0.5 + 600 x 2.5 + 10 x 8 = 200 + 150 + 1,500 + 80 = 1,930 per 1e6.
  const PriceTable t({core::PriceConfig{"m", 2.0, 8.0, 0.5, 2.5}});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", usage(1'000, 10, 300, 600)), 1'930 / 1e6);
}

TEST(PriceTableTest, CacheWritePriceDefaultsToInputPrice) {
  // No cache prices: every prompt token at $2, written or read or not: 1,000 x 2 = 2,000 per 1e6.
  const PriceTable t({price("m", 2.0, 8.0)});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", usage(1'000, 0, 300, 600)), 2'000 / 1e6);
}

TEST(PriceTableTest, CacheCountsLargerThanThePromptAreCapped) {
  // Reads take the prompt first, writes what is left: 100 prompt, 80 read, 50 written ->
  // 80 read, 20 written, 0 uncached: 80 x 0.5 + 20 x 2.5 = 40 + 50 = 90 per 1e6.
  const PriceTable t({core::PriceConfig{"m", 2.0, 8.0, 0.5, 2.5}});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", usage(100, 0, 80, 50)), 90 / 1e6);
  const Usage::PromptParts parts = usage(100, 0, 80, 50).prompt_parts();
  EXPECT_EQ(parts.cache_read + parts.cache_write + parts.uncached, 100);
}

Usage usage_1h(long long prompt, long long completion, long long cache_read, long long cache_write,
               long long cache_write_1h) {
  Usage u = usage(prompt, completion, cache_read, cache_write);
  u.cache_write_1h_tokens = cache_write_1h;
  return u;
}

TEST(PriceTableTest, OneHourCacheWritesCostTwiceTheInputPriceBuiltIn) {
  // claude-sonnet-4: $3 input, $0.30 cache reads, $3.75 5-minute writes, 1-hour writes at twice
  // the input price ($6), $15 output. Anthropic reports input_tokens 1,000,
  // cache_read_input_tokens 20,000, cache_creation_input_tokens 10,000 of which
  // ephemeral_1h_input_tokens 6,000 (and ephemeral_5m 4,000), output_tokens 300; prompt 31,000:
  //   1,000 x 3 + 20,000 x 0.30 + 4,000 x 3.75 + 6,000 x 6 + 300 x 15
  //   = 3,000 + 6,000 + 15,000 + 36,000 + 4,500 = 64,500 per 1e6 = $0.0645.
  // All 10,000 writes at the 5-minute price would have been $0.054.
  const PriceTable t({});
  EXPECT_DOUBLE_EQ(t.cost_usd("claude-sonnet-4", usage_1h(31'000, 300, 20'000, 10'000, 6'000)),
                   0.0645);
}

TEST(PriceTableTest, ConfiguredOneHourCacheWritePrice) {
  // {input 2, output 8, cached 0.5, write 2.5, 1-hour write 5.5}: 100 uncached, 300 read, 600
  // written of which 200 for an hour, 10 out:
  //   100 x 2 + 300 x 0.5 + 400 x 2.5 + 200 x 5.5 + 10 x 8 = 200 + 150 + 1,000 + 1,100 + 80
  //   = 2,530 per 1e6.
  core::PriceConfig p{"m", 2.0, 8.0, 0.5, 2.5};
  p.cache_write_1h_per_million = 5.5;
  const PriceTable t({p});
  EXPECT_DOUBLE_EQ(t.cost_usd("m", usage_1h(1'000, 10, 300, 600, 200)), 2'530 / 1e6);
  // Without it, twice the input price: 100 x 2 + 300 x 0.5 + 400 x 2.5 + 200 x 4 + 10 x 8 = 2,230.
  const PriceTable derived({core::PriceConfig{"m", 2.0, 8.0, 0.5, 2.5}});
  EXPECT_DOUBLE_EQ(derived.cost_usd("m", usage_1h(1'000, 10, 300, 600, 200)), 2'230 / 1e6);
}

TEST(PriceTableTest, OneHourWritesLargerThanTheWritesAreCapped) {
  // 100 prompt, 20 read, 50 written of which "70" for an hour -> 50 for an hour, none for 5
  // minutes, 30 uncached; the parts add up to the prompt.
  const Usage u = usage_1h(100, 0, 20, 50, 70);
  const Usage::PromptParts parts = u.prompt_parts();
  EXPECT_EQ(parts.cache_write_1h, 50);
  EXPECT_EQ(parts.cache_write, 0);
  EXPECT_EQ(parts.uncached, 30);
  EXPECT_EQ(parts.uncached + parts.cache_read + parts.cache_write + parts.cache_write_1h, 100);
  const PriceTable t({core::PriceConfig{"m", 2.0, 8.0, 0.5, 2.5}});
  // 30 x 2 + 20 x 0.5 + 50 x 4 = 60 + 10 + 200 = 270 per 1e6.
  EXPECT_DOUBLE_EQ(t.cost_usd("m", u), 270 / 1e6);
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
        "text-embedding-3-large", "llama-3.1-8b-instant", "gpt-5", "gpt-5-mini", "o3", "o4-mini",
        "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"}) {
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
    // A cache write costs more than plain input, where a provider bills them at all.
    if (p.cache_write_per_million > 0) EXPECT_GT(p.cache_write_per_million, p.input_per_million);
  }
}

TEST(PriceTableTest, LastDuplicateConfigEntryWins) {
  const PriceTable t({price("m", 1.0, 1.0), price("m", 3.0, 3.0)});
  EXPECT_DOUBLE_EQ(t.find("m")->input_per_million, 3.0);
}

}  // namespace
}  // namespace sluice::gateway
