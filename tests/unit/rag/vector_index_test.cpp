#include "rag/vector_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <thread>

namespace sluice::rag {
namespace {

std::vector<std::vector<float>> random_vectors(std::size_t n, std::size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> out(n, std::vector<float>(dim));
  for (auto& v : out)
    for (float& x : v) x = normal(rng);
  return out;
}

// Vectors shaped like text embeddings: a fixed projection of a 24-dimension latent point into 64
// dimensions, plus noise. Real embeddings have such a low intrinsic dimension; random vectors,
// whose neighbours are all nearly equidistant, do not (and would need a far wider search).
std::vector<std::vector<float>> embedding_like_vectors(std::size_t n, uint32_t seed) {
  constexpr std::size_t kLatent = 24, kDim = 64;
  static const auto projection = random_vectors(kLatent, kDim, 99);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> out(n, std::vector<float>(kDim));
  for (auto& v : out) {
    for (const auto& direction : projection) {
      const float weight = normal(rng);
      for (std::size_t d = 0; d < kDim; ++d) v[d] += weight * direction[d];
    }
    for (float& x : v) x += 0.5f * normal(rng);
  }
  return out;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na * nb);
}

// Chunk ids (index + 100) of the k most similar vectors, exactly.
std::vector<int64_t> exact_top(const std::vector<std::vector<float>>& vectors,
                               const std::vector<float>& query, std::size_t k,
                               const ChunkFilter& keep = {}) {
  std::vector<std::pair<double, int64_t>> scored;
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto id = static_cast<int64_t>(i) + 100;
    if (!keep || keep(id)) scored.emplace_back(cosine(vectors[i], query), id);
  }
  std::sort(scored.begin(), scored.end(), std::greater<>());
  std::vector<int64_t> ids;
  for (std::size_t i = 0; i < std::min(k, scored.size()); ++i) ids.push_back(scored[i].second);
  return ids;
}

std::vector<int64_t> ids_of(const std::vector<VectorHit>& hits) {
  std::vector<int64_t> ids;
  for (const auto& hit : hits) ids.push_back(hit.chunk_id);
  return ids;
}

class VectorIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vectors_ = new std::vector<std::vector<float>>(embedding_like_vectors(5000, 1));
    index_ = new VectorIndex(64, VectorIndexOptions{.initial_capacity = 64});  // grows 7 times
    for (std::size_t i = 0; i < vectors_->size(); ++i)
      index_->add(static_cast<int64_t>(i) + 100, (*vectors_)[i]);
  }
  static void TearDownTestSuite() {
    delete index_;
    delete vectors_;
  }
  static std::vector<std::vector<float>>* vectors_;
  static VectorIndex* index_;
};
std::vector<std::vector<float>>* VectorIndexTest::vectors_ = nullptr;
VectorIndex* VectorIndexTest::index_ = nullptr;

// The default options' recall (ef_search 10 falls below 0.9 here).
TEST_F(VectorIndexTest, RecallAtTenAgainstExactSearch) {
  EXPECT_EQ(index_->size(), 5000u);
  const auto queries = embedding_like_vectors(200, 2);
  std::size_t found = 0;
  for (const auto& query : queries) {
    const auto hits = index_->search(query, 10);
    ASSERT_EQ(hits.size(), 10u);
    for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_GE(hits[i - 1].score, hits[i].score);
    const auto exact = exact_top(*vectors_, query, 10);
    for (int64_t id : ids_of(hits)) found += std::count(exact.begin(), exact.end(), id);
  }
  const double recall = static_cast<double>(found) / (queries.size() * 10);
  EXPECT_GE(recall, 0.95);
}

TEST_F(VectorIndexTest, ScoresAreCosineSimilarities) {
  std::vector<float> scaled = (*vectors_)[42];
  for (float& x : scaled) x *= 7.5f;  // normalization makes the length irrelevant
  const auto hits = index_->search(scaled, 3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].chunk_id, 142);
  EXPECT_NEAR(hits[0].score, 1.0, 1e-5);
  EXPECT_NEAR(hits[1].score, cosine((*vectors_)[hits[1].chunk_id - 100], scaled), 1e-5);
}

TEST_F(VectorIndexTest, FilteredSearchReturnsOnlyPassingChunks) {
  const ChunkFilter even = [](int64_t id) { return id % 2 == 0; };
  const auto queries = embedding_like_vectors(50, 3);
  std::size_t found = 0;
  for (const auto& query : queries) {
    const auto hits = index_->search(query, 10, &even);
    ASSERT_EQ(hits.size(), 10u);
    for (const auto& hit : hits) EXPECT_EQ(hit.chunk_id % 2, 0);
    const auto exact = exact_top(*vectors_, query, 10, even);
    for (int64_t id : ids_of(hits)) found += std::count(exact.begin(), exact.end(), id);
  }
  EXPECT_GE(static_cast<double>(found) / (queries.size() * 10), 0.95);
}

TEST_F(VectorIndexTest, VerySelectiveFilterFallsBackToExactScan) {
  const ChunkFilter rare = [](int64_t id) { return id % 1000 == 7; };  // 5 chunks of 5000
  const auto query = random_vectors(1, 64, 4)[0];
  EXPECT_EQ(ids_of(index_->search(query, 3, &rare)), exact_top(*vectors_, query, 3, rare));
}

TEST(VectorIndexRemovalTest, RemovedChunksAreNotReturnedUntilAddedAgain) {
  const auto vectors = random_vectors(300, 16, 5);
  VectorIndex index(16, VectorIndexOptions{.initial_capacity = 8});
  for (std::size_t i = 0; i < vectors.size(); ++i)
    index.add(static_cast<int64_t>(i) + 100, vectors[i]);
  EXPECT_TRUE(index.remove(110));
  EXPECT_FALSE(index.remove(110));
  EXPECT_FALSE(index.remove(99999));
  EXPECT_EQ(index.size(), 299u);
  auto hits = index.search(vectors[10], 5);
  ASSERT_EQ(hits.size(), 5u);
  for (const auto& hit : hits) EXPECT_NE(hit.chunk_id, 110);
  index.add(110, vectors[10]);
  EXPECT_EQ(index.size(), 300u);
  EXPECT_EQ(index.search(vectors[10], 1)[0].chunk_id, 110);
}

TEST(VectorIndexRemovalTest, EmptyAndWrongDimension) {
  VectorIndex index(4);
  EXPECT_TRUE(index.search(std::vector<float>{1, 0, 0, 0}, 5).empty());
  EXPECT_THROW(index.add(1, std::vector<float>{1, 2}), std::invalid_argument);
  EXPECT_THROW(index.search(std::vector<float>{1, 2, 3}, 5), std::invalid_argument);
}

TEST(VectorIndexConcurrencyTest, SearchesRunWhileVectorsAreAdded) {
  const auto vectors = random_vectors(1500, 32, 6);
  VectorIndex index(32, VectorIndexOptions{.initial_capacity = 16});
  for (int i = 0; i < 100; ++i) index.add(i, vectors[i]);
  std::atomic<bool> adding{true};
  std::atomic<int64_t> last_removed{-1};  // chunks 50, 60, ... up to this one are removed
  std::atomic<int> searches{0}, violations{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      std::size_t q = r;
      while (adding.load()) {
        const int64_t removed = last_removed.load();
        const auto hits = index.search(vectors[q++ % vectors.size()], 5);
        if (hits.empty()) ++violations;
        for (const auto& hit : hits)
          if (hit.chunk_id % 10 == 0 && hit.chunk_id >= 50 && hit.chunk_id <= removed) ++violations;
        ++searches;
      }
    });
  }
  for (int i = 100; i < 1500; ++i) {
    index.add(i, vectors[i]);
    if (i % 10 == 0) {
      index.remove(i - 50);
      last_removed.store(i - 50);
    }
  }
  while (searches.load() < 100) std::this_thread::yield();
  adding.store(false);
  for (auto& t : readers) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(index.size(), 1500u - 140u);
}

}  // namespace
}  // namespace sluice::rag
