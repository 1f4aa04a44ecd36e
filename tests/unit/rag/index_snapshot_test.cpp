#include "rag/index_snapshot.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "lexical_test_corpus.hpp"

namespace sluice::rag {
namespace {

namespace fs = std::filesystem;
using testing::ZipfTerms;

class IndexSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-index-snapshot-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static void flip_byte(const std::string& file, uint64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    const char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x01));
  }

  fs::path dir_;
};

TEST_F(IndexSnapshotTest, LexicalRoundTripKeepsResultsTombstonesAndChangeSeq) {
  LexicalIndex index;
  ZipfTerms terms(300, 3);
  for (int i = 0; i < 2000; ++i)
    index.add(i * 5, "doc" + std::to_string(i / 2),
              FieldTerms{terms.next(25), terms.next(i % 3), terms.next(i % 2)});
  for (int d = 0; d < 100; d += 7) index.remove_document("doc" + std::to_string(d));
  ASSERT_TRUE(save_lexical_snapshot(index, path("lexical"), 1234).ok());

  auto loaded = load_lexical_snapshot(path("lexical"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->change_seq, 1234);
  LexicalIndex& copy = *loaded->index;
  EXPECT_EQ(copy.chunk_count(), index.chunk_count());
  EXPECT_EQ(copy.term_count(), index.term_count());
  for (int q = 0; q < 100; ++q) {
    const auto query = terms.next(1 + q % 4);
    ASSERT_EQ(copy.search(query, 10), index.search(query, 10));
  }
  // The loaded index stays writable: documents and their chunks came along.
  EXPECT_EQ(copy.remove_document("doc99"), 2u);
  copy.add(1, "new", testing::body("fresh words"));
  EXPECT_EQ(copy.search({"fresh"}, 5).size(), 1u);
}

TEST_F(IndexSnapshotTest, CorruptedOrTruncatedLexicalSnapshotIsRefused) {
  LexicalIndex index;
  index.add(1, "a", testing::body("alpha beta gamma"));
  index.add(2, "b", testing::body("beta delta"));
  ASSERT_TRUE(save_lexical_snapshot(index, path("lexical"), 5).ok());
  const auto size = fs::file_size(path("lexical"));
  flip_byte(path("lexical"), size - 3);
  EXPECT_FALSE(load_lexical_snapshot(path("lexical")).ok());

  ASSERT_TRUE(save_lexical_snapshot(index, path("lexical"), 5).ok());
  fs::resize_file(path("lexical"), size - 8);
  EXPECT_FALSE(load_lexical_snapshot(path("lexical")).ok());
  EXPECT_EQ(load_lexical_snapshot(path("absent")).error().code, Errc::not_found);
}

std::vector<float> random_vector(std::mt19937& rng, std::size_t dim) {
  std::normal_distribution<float> normal;
  std::vector<float> v(dim);
  for (float& x : v) x = normal(rng);
  return v;
}

TEST_F(IndexSnapshotTest, VectorRoundTripKeepsResultsDeletionsAndChangeSeq) {
  std::mt19937 rng(8);
  VectorIndex index(24, VectorIndexOptions{.ef_search = 90, .initial_capacity = 32});
  for (int i = 0; i < 500; ++i) index.add(i, random_vector(rng, 24));
  index.remove(7);
  index.remove(8);
  ASSERT_TRUE(save_vector_snapshot(index, path("vectors"), 77).ok());

  auto loaded = load_vector_snapshot(path("vectors"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->change_seq, 77);
  VectorIndex& copy = *loaded->index;
  EXPECT_EQ(copy.size(), 498u);
  EXPECT_EQ(copy.dimension(), 24u);
  EXPECT_EQ(copy.options().ef_search, 90u);
  for (int q = 0; q < 20; ++q) {
    const auto query = random_vector(rng, 24);
    const auto a = index.search(query, 10);
    const auto b = copy.search(query, 10);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].chunk_id, b[i].chunk_id);
      EXPECT_NE(b[i].chunk_id, 7);
    }
  }
  copy.add(1000, random_vector(rng, 24));  // grows past the loaded capacity
  EXPECT_EQ(copy.size(), 499u);
}

TEST_F(IndexSnapshotTest, VectorSnapshotWithAMismatchedGraphIsRefused) {
  std::mt19937 rng(9);
  VectorIndex index(8);
  for (int i = 0; i < 50; ++i) index.add(i, random_vector(rng, 8));
  ASSERT_TRUE(save_vector_snapshot(index, path("vectors"), 1).ok());
  flip_byte(path("vectors") + ".hnsw", fs::file_size(path("vectors") + ".hnsw") / 2);
  EXPECT_FALSE(load_vector_snapshot(path("vectors")).ok());

  ASSERT_TRUE(save_vector_snapshot(index, path("vectors"), 1).ok());
  fs::resize_file(path("vectors") + ".hnsw", 100);
  EXPECT_FALSE(load_vector_snapshot(path("vectors")).ok());
  // A lexical snapshot is not a vector one.
  ASSERT_TRUE(save_lexical_snapshot(LexicalIndex(), path("lexical"), 1).ok());
  EXPECT_FALSE(load_vector_snapshot(path("lexical")).ok());
}

}  // namespace
}  // namespace sluice::rag
