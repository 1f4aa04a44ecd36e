#include "rag/lexical_index.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <unordered_set>

#include "lexical_test_corpus.hpp"

namespace sluice::rag {
namespace {

using testing::body;
using testing::ReferenceCorpus;
using testing::words;
using testing::ZipfTerms;

// c1 "apple banana apple" (length 3), c2 "banana cherry" (2), c3 "cherry date fig apple" (4):
// N = 3, avgdl = 9 / 3 = 3, and apple, banana and cherry each have df = 2, so
//   idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6) = 0.470003629
// and a term scores idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / 3)).
class LexicalIndexHandComputed : public ::testing::Test {
 protected:
  void SetUp() override {
    index.add(1, "d1", body("apple banana apple"));
    index.add(2, "d2", body("banana cherry"));
    index.add(3, "d3", body("cherry date fig apple"));
  }
  LexicalIndex index;
};

TEST_F(LexicalIndexHandComputed, SingleTermScores) {
  const auto hits = index.search({"apple"}, 10);
  ASSERT_EQ(hits.size(), 2u);
  // c1: tf 2, dl 3: norm 1.2 * 1 = 1.2, 2 * 2.2 / 3.2 = 1.375, score 0.470003629 * 1.375
  EXPECT_EQ(hits[0].chunk_id, 1);
  EXPECT_NEAR(hits[0].score, 0.646254990, 1e-6);
  // c3: tf 1, dl 4: norm 1.2 * (0.25 + 1) = 1.5, 2.2 / 2.5 = 0.88, score 0.470003629 * 0.88
  EXPECT_EQ(hits[1].chunk_id, 3);
  EXPECT_NEAR(hits[1].score, 0.413603194, 1e-6);
}

TEST_F(LexicalIndexHandComputed, TermsAddUp) {
  const auto hits = index.search({"banana", "cherry"}, 10);
  ASSERT_EQ(hits.size(), 3u);
  // c2: dl 2, norm 1.2 * (0.25 + 0.5) = 0.9, each term 2.2 / 1.9 = 1.157894737: 2 * 0.4700036 * it
  EXPECT_EQ(hits[0].chunk_id, 2);
  EXPECT_NEAR(hits[0].score, 1.088429457, 1e-6);
  // c1: banana tf 1, dl 3: 2.2 / 2.2 = 1, score = idf
  EXPECT_EQ(hits[1].chunk_id, 1);
  EXPECT_NEAR(hits[1].score, 0.470003629, 1e-6);
  // c3: cherry tf 1, dl 4: 0.88 * idf
  EXPECT_EQ(hits[2].chunk_id, 3);
  EXPECT_NEAR(hits[2].score, 0.413603194, 1e-6);
}

TEST_F(LexicalIndexHandComputed, DuplicateAndUnknownQueryTermsCountOnce) {
  EXPECT_EQ(index.search({"banana", "cherry", "banana", "zebra"}, 10),
            index.search({"banana", "cherry"}, 10));
  EXPECT_TRUE(index.search({"zebra"}, 10).empty());
  EXPECT_TRUE(index.search({"apple"}, 0).empty());
}

TEST_F(LexicalIndexHandComputed, TopKCuts) {
  const auto hits = index.search({"banana", "cherry"}, 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].chunk_id, 2);
}

// "rust" once in each chunk's title (weight 2), heading path (1.5) or body (1):
//   A title [rust] body [guide]              tf 2,   dl 2 + 1 = 3
//   B heading [rust] body [guide more]       tf 1.5, dl 1.5 + 2 = 3.5
//   C body [rust guide more]                 tf 1,   dl 3
// N = 3, avgdl = 9.5 / 3 = 3.1667, df = 3: idf = ln(1 + 0.5 / 3.5) = 0.133531393
//   A: 0.133531393 * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 3.1667)) = 0.186364348
//   B: 0.133531393 * 1.5 * 2.2 / (1.5 + 1.2 * (0.25 + 0.75 * 3.5 / 3.1667)) = 0.157672661
//   C: 0.133531393 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 3 / 3.1667)) = 0.136469736
TEST(LexicalIndexTest, TitleAndHeadingMatchesAreBoosted) {
  LexicalIndex index;
  index.add(30, "c", body("rust guide more"));
  index.add(20, "b", FieldTerms{words("guide more"), {}, words("rust")});
  index.add(10, "a", FieldTerms{words("guide"), words("rust"), {}});
  const auto hits = index.search({"rust"}, 10);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].chunk_id, 10);
  EXPECT_NEAR(hits[0].score, 0.186364348, 1e-6);
  EXPECT_EQ(hits[1].chunk_id, 20);
  EXPECT_NEAR(hits[1].score, 0.157672661, 1e-6);
  EXPECT_EQ(hits[2].chunk_id, 30);
  EXPECT_NEAR(hits[2].score, 0.136469736, 1e-6);
}

TEST(LexicalIndexTest, TiesRankByChunkId) {
  LexicalIndex index;
  for (int64_t id : {7, 3, 9, 1}) index.add(id, "doc" + std::to_string(id), body("same words"));
  const auto hits = index.search({"same"}, 3);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].chunk_id, 1);
  EXPECT_EQ(hits[1].chunk_id, 3);
  EXPECT_EQ(hits[2].chunk_id, 7);
  EXPECT_EQ(hits[0].score, hits[2].score);
}

TEST(LexicalIndexTest, RemovedDocumentsAreNeverReturned) {
  LexicalIndex index;
  index.add(1, "keep", body("alpha beta"));
  index.add(2, "drop", body("alpha alpha"));
  index.add(3, "drop", body("alpha gamma"));
  EXPECT_EQ(index.remove_document("drop"), 2u);
  EXPECT_EQ(index.remove_document("drop"), 0u);
  EXPECT_EQ(index.chunk_count(), 1u);
  const auto hits = index.search({"alpha", "gamma"}, 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].chunk_id, 1);
}

TEST(LexicalIndexTest, ReaddingAChunkReplacesIt) {
  LexicalIndex index;
  index.add(1, "d", body("old words"));
  index.add(1, "d", body("new words"));
  EXPECT_EQ(index.chunk_count(), 1u);
  EXPECT_TRUE(index.search({"old"}, 10).empty());
  EXPECT_EQ(index.search({"new"}, 10).size(), 1u);
}

TEST(LexicalIndexTest, CompactionKeepsScoresExactAndFreesTerms) {
  LexicalIndex index;
  ReferenceCorpus reference;
  ZipfTerms terms(200, 7);
  for (int i = 0; i < 400; ++i)
    reference.add(index, 1000 + i, "doc" + std::to_string(i / 4),
                  FieldTerms{terms.next(20), {}, {}});
  reference.add(index, 5000, "rare", body("unique_term"));
  const std::size_t terms_before = index.term_count();
  reference.remove(index, "rare");
  EXPECT_EQ(index.term_count(), terms_before);  // a tombstone only
  // Removing more than a quarter of the chunks compacts on its own, which drops unused terms.
  for (int d = 0; d < 40; ++d) reference.remove(index, "doc" + std::to_string(d * 2));
  EXPECT_LT(index.term_count(), terms_before);
  EXPECT_EQ(index.chunk_count(), 240u);
  EXPECT_TRUE(index.search({"unique_term"}, 10).empty());
  index.compact();
  reference.forget_removed();
  for (int q = 0; q < 50; ++q) {
    const auto query = terms.next(3);
    EXPECT_EQ(index.search(query, 10), reference.search(query, 10));
  }
}

TEST(LexicalIndexTest, FilterIsRespected) {
  LexicalIndex index;
  ReferenceCorpus reference;
  ZipfTerms terms(100, 11);
  for (int i = 0; i < 600; ++i)
    reference.add(index, i, "doc" + std::to_string(i), FieldTerms{terms.next(15), {}, {}});
  const ChunkFilter multiples_of_seven = [](int64_t id) { return id % 7 == 0; };
  for (int q = 0; q < 30; ++q) {
    const auto query = terms.next(2);
    const auto hits = index.search(query, 10, &multiples_of_seven);
    for (const auto& hit : hits) EXPECT_EQ(hit.chunk_id % 7, 0);
    EXPECT_EQ(hits, reference.search(query, 10, &multiples_of_seven));
  }
  const ChunkFilter none = [](int64_t) { return false; };
  EXPECT_TRUE(index.search({"t0"}, 10, &none).empty());
}

TEST(LexicalIndexTest, SearchesRunWhileChunksAreAddedAndRemoved) {
  LexicalIndex index;
  ZipfTerms seed_terms(300, 5);
  for (int i = 0; i < 500; ++i)
    index.add(i, "base" + std::to_string(i), FieldTerms{seed_terms.next(20), {}, {}});
  std::atomic<bool> writing{true};
  std::atomic<int64_t> removed_below{-1};  // chunks of "w<n>" with n <= this are removed
  std::atomic<int> searches{0};
  std::atomic<int> violations{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      ZipfTerms terms(300, 100 + r);
      while (writing.load()) {
        const int64_t removed = removed_below.load();
        const auto hits = index.search(terms.next(3), 10);
        for (std::size_t i = 0; i < hits.size(); ++i) {
          if (hits[i].chunk_id >= 10000 && hits[i].chunk_id - 10000 <= removed) ++violations;
          if (i > 0 && hits[i].score > hits[i - 1].score) ++violations;
        }
        ++searches;
      }
    });
  }
  ZipfTerms terms(300, 9);
  for (int i = 0; i < 3000; ++i) {
    index.add(10000 + i, "w" + std::to_string(i), FieldTerms{terms.next(20), {}, {}});
    if (i % 3 == 2) {
      index.remove_document("w" + std::to_string(i - 2));
      index.remove_document("w" + std::to_string(i - 1));
      index.remove_document("w" + std::to_string(i));
      removed_below.store(i);
    }
  }
  while (searches.load() < 100) std::this_thread::yield();
  writing.store(false);
  for (auto& t : readers) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(index.chunk_count(), 500u);
}

}  // namespace
}  // namespace sluice::rag
