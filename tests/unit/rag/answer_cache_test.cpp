#include "rag/answer_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::rag {
namespace {

using namespace std::chrono_literals;

AnswerCacheKey key(std::string question = "What is X?") {
  return AnswerCacheKey{"col_1", std::move(question), 8, "extractive", {}, "rag-v1", 5};
}

Answer answer(std::string text) {
  Answer a;
  a.text = std::move(text);
  a.model = "extractive";
  return a;
}

struct ManualClock {
  AnswerCache::Clock::time_point now{};
  AnswerCache::Now fn() {
    return [this] { return now; };
  }
};

TEST(AnswerCacheKeyTest, QuestionsDifferingInCaseAndSpacesShareAKey) {
  EXPECT_EQ(normalize_question("  What   IS\tÉcole\n? "), "what is école ?");
  EXPECT_EQ(render_cache_key(key("What is X?")), render_cache_key(key("what  is x? ")));
}

TEST(AnswerCacheKeyTest, EveryParameterTakesPart) {
  const std::string base = render_cache_key(key());
  std::vector<AnswerCacheKey> variants(7, key());
  variants[0].collection_id = "col_2";
  variants[1].question = "What is Y?";
  variants[2].top_k = 9;
  variants[3].model = "gpt";
  variants[4].filters.tags = {"a"};
  variants[5].template_version = "rag-v2";
  variants[6].index_version = 6;
  for (const auto& v : variants) EXPECT_NE(render_cache_key(v), base);
}

TEST(AnswerCacheKeyTest, FilterListsCompareAsSets) {
  auto a = key();
  auto b = key();
  a.filters.document_ids = {"d1", "d2"};
  b.filters.document_ids = {"d2", "d1"};
  EXPECT_EQ(render_cache_key(a), render_cache_key(b));
  // Lengths are part of the encoding: ["ab"] is not ["a", "b"].
  a.filters.tags = {"ab"};
  b.filters.tags = {"a", "b"};
  EXPECT_NE(render_cache_key(a), render_cache_key(b));
}

TEST(AnswerCacheTest, StoresAndReturns) {
  AnswerCache cache(1 << 20, 60s);
  EXPECT_FALSE(cache.get("k"));
  cache.put("k", answer("hello"));
  auto hit = cache.get("k");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->text, "hello");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AnswerCacheTest, ZeroBytesTurnsItOff) {
  AnswerCache cache(0, 60s);
  cache.put("k", answer("hello"));
  EXPECT_FALSE(cache.get("k"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AnswerCacheTest, EntriesExpireAfterTheTtl) {
  ManualClock clock;
  AnswerCache cache(1 << 20, 10s, clock.fn());
  cache.put("k", answer("hello"));
  clock.now += 9s;
  EXPECT_TRUE(cache.get("k"));
  clock.now += 1s;
  EXPECT_FALSE(cache.get("k"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(AnswerCacheTest, EvictsTheLeastRecentlyUsedToStayWithinTheBound) {
  AnswerCache probe(1 << 20, 60s);
  probe.put("a", answer(std::string(1000, 'x')));
  const std::size_t one = probe.bytes();
  AnswerCache cache(one * 2 + one / 2, 60s);  // room for two
  cache.put("a", answer(std::string(1000, 'x')));
  cache.put("b", answer(std::string(1000, 'y')));
  ASSERT_TRUE(cache.get("a"));  // "a" is now the most recent
  cache.put("c", answer(std::string(1000, 'z')));
  EXPECT_TRUE(cache.get("a"));
  EXPECT_FALSE(cache.get("b"));
  EXPECT_TRUE(cache.get("c"));
  EXPECT_LE(cache.bytes(), one * 2 + one / 2);
}

TEST(AnswerCacheTest, AnAnswerBiggerThanTheBoundIsNotStored) {
  AnswerCache cache(500, 60s);
  cache.put("big", answer(std::string(1000, 'x')));
  EXPECT_FALSE(cache.get("big"));
}

TEST(AnswerCacheTest, ReplacingAKeyKeepsOneEntry) {
  AnswerCache cache(1 << 20, 60s);
  cache.put("k", answer("one"));
  const std::size_t bytes = cache.bytes();
  cache.put("k", answer("two"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), bytes);
  EXPECT_EQ(cache.get("k")->text, "two");
}

TEST(AnswerCacheTest, ANewIndexVersionMissesTheOldAnswer) {
  AnswerCache cache(1 << 20, 60s);
  auto before = key();
  cache.put(render_cache_key(before), answer("old"));
  auto after = before;
  after.index_version += 1;  // an ingest or a delete happened
  EXPECT_FALSE(cache.get(render_cache_key(after)));
  EXPECT_TRUE(cache.get(render_cache_key(before)));
}

TEST(AnswerCacheTest, ConcurrentUseKeepsTheAccountsStraight) {
  AnswerCache cache(64 * 1024, 60s);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string k = std::to_string((i * 7 + t) % 300);
        if (!cache.get(k)) cache.put(k, answer(std::string(100 + i % 50, 'x')));
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_LE(cache.bytes(), 64u * 1024);
  EXPECT_GT(cache.size(), 0u);
}

}  // namespace
}  // namespace sluice::rag
