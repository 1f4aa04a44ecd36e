#include "rag/lexical_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "lexical_test_corpus.hpp"

namespace sluice::rag {
namespace {

using testing::ReferenceCorpus;
using testing::ZipfTerms;

// Random Zipf corpora with shuffled chunk ids (so internal order and tie order differ), many
// equal scores, posting lists of many blocks, tombstones and filters: the pruned search must
// return exactly what scoring every chunk returns, ties included.
class PruningIsExact : public ::testing::TestWithParam<uint32_t> {};

TEST_P(PruningIsExact, AgainstExhaustiveScoring) {
  const uint32_t seed = GetParam();
  ZipfTerms terms(400 + seed * 37 % 400, seed);
  auto& rng = terms.rng();
  LexicalIndex index;
  ReferenceCorpus reference;
  const int chunks = 1500 + static_cast<int>(rng() % 1500);
  std::vector<int64_t> ids(chunks);
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (int i = 0; i < chunks; ++i) {
    FieldTerms fields{terms.next(1 + rng() % 40), {}, {}};
    if (rng() % 4 == 0) fields.title = terms.next(1 + rng() % 4);
    if (rng() % 3 == 0) fields.heading = terms.next(1 + rng() % 6);
    reference.add(index, ids[i] * 3 + 1, "doc" + std::to_string(i / 3), std::move(fields));
  }
  // Under a quarter removed: tombstones stay, and document frequencies still count them.
  for (int d = 0; d < chunks / 3; ++d)
    if (rng() % 6 == 0) reference.remove(index, "doc" + std::to_string(d));

  const uint64_t modulus = 2 + rng() % 5;
  const ChunkFilter filter = [modulus](int64_t id) { return id % modulus != 0; };
  const auto check = [&](const char* phase) {
    for (int q = 0; q < 60; ++q) {
      const auto query = terms.next(1 + rng() % 5);
      const ChunkFilter* f = q % 3 == 0 ? &filter : nullptr;
      const auto exhaustive = reference.search(query, 50, f);
      for (std::size_t k : {1, 3, 10, 50}) {
        const std::vector<LexicalHit> expected(exhaustive.begin(),
                                               exhaustive.begin() + std::min(k, exhaustive.size()));
        ASSERT_EQ(index.search(query, k, f), expected)
            << phase << " seed " << seed << " query " << ::testing::PrintToString(query) << " k "
            << k << " filtered " << (f != nullptr);
      }
    }
  };
  check("with tombstones");
  index.compact();
  reference.forget_removed();
  check("compacted");
}

INSTANTIATE_TEST_SUITE_P(Seeds, PruningIsExact, ::testing::Range(1u, 25u));

TEST(LexicalSearchTest, CommonTermsDoNotScoreEveryPosting) {
  // Two very common terms and a rare one: once the top k fills with chunks holding the rare term,
  // blocks of the common ones that cannot reach it are skipped; the result is still exact.
  LexicalIndex index;
  ReferenceCorpus reference;
  for (int i = 0; i < 20000; ++i) {
    std::string text = "common other";
    if (i % 997 == 0) text += " rare rare";
    if (i % 2 == 0) text += " filler words here";
    reference.add(index, i, "d" + std::to_string(i), testing::body(text));
  }
  const std::vector<std::string> query{"common", "other", "rare"};
  EXPECT_EQ(index.search(query, 5), reference.search(query, 5));
}

TEST(LexicalSearchTest, WeakTermsOfDenseStretchesStillRank) {
  // A stretch where every chunk has "topic" is scored exhaustively; "the", in most chunks, is too
  // weak to be summed there and is looked up only for the chunks "topic" brings within reach. All
  // chunks have the same length, so among the stretch's chunks only the count of "the" ranks, and
  // it grows along the stretch: the best come last.
  LexicalIndex index;
  ReferenceCorpus reference;
  for (int i = 0; i < 30000; ++i) {
    const bool topic = (i >= 10000 && i < 14000) || i % 5000 == 1;
    const int the = i % 5 == 0 ? 0 : topic && i >= 10000 ? 1 + (i - 10000) / 700 : 1 + i % 3;
    std::string text = topic ? "topic" : "pad";
    for (int t = 0; t < 8; ++t) text += t < the ? " the" : " pad";
    reference.add(index, i, "d" + std::to_string(i), testing::body(text));
  }
  const std::vector<std::string> query{"the", "topic"};
  for (std::size_t k : {1, 10, 100}) EXPECT_EQ(index.search(query, k), reference.search(query, k));
}

// A corpus copied many times, as when the same pages are uploaded again: every score ties across
// the copies, so the top k is decided by chunk id alone. Common terms make stretches dense enough
// to be scored exhaustively, rare ones are walked candidate by candidate; with chunk ids rising
// in the order chunks are added, and shuffled, both must return the exhaustive top k.
class CopiedCorpusIsExact : public ::testing::TestWithParam<bool> {};

TEST_P(CopiedCorpusIsExact, TiesAcrossCopiesRankByChunkId) {
  const bool shuffled = GetParam();
  ZipfTerms terms(300, shuffled ? 7 : 8);
  auto& rng = terms.rng();
  std::vector<FieldTerms> originals;
  for (int i = 0; i < 250; ++i) {
    FieldTerms fields{terms.next(1 + rng() % 60), {}, {}};
    if (rng() % 4 == 0) fields.title = terms.next(1 + rng() % 3);
    originals.push_back(std::move(fields));
  }
  const int copies = 48;
  std::vector<int64_t> ids(originals.size() * copies);
  std::iota(ids.begin(), ids.end(), 100);
  if (shuffled) std::shuffle(ids.begin(), ids.end(), rng);
  LexicalIndex index;
  ReferenceCorpus reference;
  for (int copy = 0; copy < copies; ++copy)
    for (std::size_t i = 0; i < originals.size(); ++i)
      reference.add(index, ids[copy * originals.size() + i],
                    "copy" + std::to_string(copy) + "/" + std::to_string(i), originals[i]);
  for (int q = 0; q < 80; ++q) {
    const auto query = terms.next(1 + rng() % 8);
    const auto exhaustive = reference.search(query, 100);
    for (std::size_t k : {1, 10, 50, 100}) {
      const std::vector<LexicalHit> expected(exhaustive.begin(),
                                             exhaustive.begin() + std::min(k, exhaustive.size()));
      ASSERT_EQ(index.search(query, k), expected)
          << "query " << ::testing::PrintToString(query) << " k " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ChunkIdOrder, CopiedCorpusIsExact, ::testing::Bool());

}  // namespace
}  // namespace sluice::rag
