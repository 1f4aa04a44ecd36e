#include "gateway/providers/mock/mock_embedding.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sluice::gateway {
namespace {

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

TEST(MockEmbeddingTest, DeterministicUnitVectorsOfTheRequestedSize) {
  for (int dimensions : {1, 8, 384, 1536}) {
    const auto a = mock_embedding("Configure the write-ahead log", dimensions);
    ASSERT_EQ(a.size(), static_cast<std::size_t>(dimensions));
    EXPECT_NEAR(dot(a, a), 1.0, 1e-5);
    EXPECT_EQ(a, mock_embedding("Configure the write-ahead log", dimensions));
  }
}

TEST(MockEmbeddingTest, CaseAndPunctuationDoNotMatterWordsDo) {
  EXPECT_EQ(mock_embedding("Vacuum, the TABLE!", 64), mock_embedding("vacuum table", 64));
  EXPECT_NE(mock_embedding("vacuum table", 64), mock_embedding("vacuum index", 64));
}

TEST(MockEmbeddingTest, TextsSharingWordsAreCloserThanUnrelatedOnes) {
  const auto question = mock_embedding("How do I create an index on a table?", 384);
  const auto related = mock_embedding(
      "CREATE INDEX constructs an index on the specified column(s) of the specified table.", 384);
  const auto inflected = mock_embedding("creating indexes for tables", 384);
  const auto unrelated =
      mock_embedding("The server writes its log to stderr unless logging_collector is on.", 384);
  EXPECT_GT(dot(question, related), 0.4);
  EXPECT_GT(dot(question, inflected), 0.2) << "word trigrams join inflected forms";
  EXPECT_LT(std::abs(dot(question, unrelated)), 0.15);
  EXPECT_GT(dot(question, related), dot(question, unrelated) + 0.3);
}

TEST(MockEmbeddingTest, RepeatsWeighLogarithmically) {
  const auto once = mock_embedding("replication", 256);
  const auto thrice = mock_embedding("replication replication replication", 256);
  EXPECT_NEAR(dot(once, thrice), 1.0, 1e-5) << "one feature set, scaled, then normalized";
  const auto mixed = mock_embedding("replication replication replication slot", 256);
  const auto even = mock_embedding("replication slot", 256);
  EXPECT_GT(dot(mixed, once), dot(even, once));
}

TEST(MockEmbeddingTest, TextsWithoutWordsStillGetDistinctUnitVectors) {
  for (const char* text : {"", "?!", "the of and", "..."}) {
    const auto v = mock_embedding(text, 32);
    ASSERT_EQ(v.size(), 32u) << text;
    EXPECT_NEAR(dot(v, v), 1.0, 1e-5) << text;
  }
  EXPECT_NE(mock_embedding("?!", 32), mock_embedding("...", 32));
  EXPECT_EQ(mock_embedding("?!", 32), mock_embedding("?!", 32));
}

TEST(MockEmbeddingTest, NonAsciiWordsAreWords) {
  const auto a = mock_embedding("Größe der Tabelle", 128);
  EXPECT_GT(dot(a, mock_embedding("größe", 128)), 0.3);
  EXPECT_NE(a, mock_embedding("Tabelle", 128));
}

}  // namespace
}  // namespace sluice::gateway
