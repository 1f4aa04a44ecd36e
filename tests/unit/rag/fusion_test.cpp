#include "rag/fusion.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

// Lexical: 1, 2, 3. Dense: 3, 4, 1.
const std::vector<LexicalHit> kLexical = {{1, 9.0f}, {2, 6.0f}, {3, 3.0f}};
const std::vector<VectorHit> kDense = {{3, 0.9f}, {4, 0.8f}, {1, 0.5f}};

TEST(FusionTest, ReciprocalRankFusion) {
  // k = 60: 1 -> 1/61 + 1/63 = 0.032266, 3 -> 1/63 + 1/61 = 0.032266 (tie: lower id first),
  // 2 -> 1/62 = 0.016129, 4 -> 1/62 = 0.016129.
  const auto fused = fuse_rrf(kLexical, kDense, 60, 10);
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0], (FusedHit{1, static_cast<float>(1.0 / 61 + 1.0 / 63), 1, 3}));
  EXPECT_EQ(fused[1], (FusedHit{3, static_cast<float>(1.0 / 63 + 1.0 / 61), 3, 1}));
  EXPECT_EQ(fused[2], (FusedHit{2, static_cast<float>(1.0 / 62), 2, 0}));
  EXPECT_EQ(fused[3], (FusedHit{4, static_cast<float>(1.0 / 62), 0, 2}));
  EXPECT_EQ(fuse_rrf(kLexical, kDense, 60, 2).size(), 2u);
}

TEST(FusionTest, ReciprocalRankFusionWithOneListEmpty) {
  const auto fused = fuse_rrf(kLexical, {}, 10, 10);
  ASSERT_EQ(fused.size(), 3u);
  EXPECT_NEAR(fused[0].score, 1.0 / 11, 1e-7);
  EXPECT_EQ(fused[2].chunk_id, 3);
  EXPECT_EQ(fused[2].dense_rank, 0);
}

TEST(FusionTest, LinearCombinationOfMinMaxScaledScores) {
  // Lexical scaled: 1 -> 1, 2 -> 0.5, 3 -> 0. Dense scaled: 3 -> 1, 4 -> 0.75, 1 -> 0.
  // alpha 0.25: 1 -> 0.75 * 1 + 0.25 * 0 = 0.75; 2 -> 0.375; 3 -> 0 + 0.25 = 0.25; 4 -> 0.1875.
  const auto fused = fuse_linear(kLexical, kDense, 0.25f, 10);
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0].chunk_id, 1);
  EXPECT_NEAR(fused[0].score, 0.75, 1e-6);
  EXPECT_EQ(fused[1].chunk_id, 2);
  EXPECT_NEAR(fused[1].score, 0.375, 1e-6);
  EXPECT_EQ(fused[2].chunk_id, 3);
  EXPECT_NEAR(fused[2].score, 0.25, 1e-6);
  EXPECT_EQ(fused[3].chunk_id, 4);
  EXPECT_NEAR(fused[3].score, 0.1875, 1e-6);
  EXPECT_EQ(fused[3].lexical_rank, 0);
  EXPECT_EQ(fused[3].dense_rank, 2);
}

TEST(FusionTest, LinearAlphaSelectsAList) {
  const auto dense_only = fuse_linear(kLexical, kDense, 1.0f, 2);
  ASSERT_EQ(dense_only.size(), 2u);
  EXPECT_EQ(dense_only[0].chunk_id, 3);
  EXPECT_EQ(dense_only[1].chunk_id, 4);
  const auto lexical_only = fuse_linear(kLexical, kDense, 0.0f, 1);
  EXPECT_EQ(lexical_only[0].chunk_id, 1);
}

TEST(FusionTest, ListOfEqualScoresScalesToOne) {
  const auto fused = fuse_linear({{5, 2.0f}, {6, 2.0f}}, {}, 0.5f, 10);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_NEAR(fused[0].score, 0.5, 1e-6);
  EXPECT_EQ(fused[0].chunk_id, 5);
}

}  // namespace
}  // namespace sluice::rag
