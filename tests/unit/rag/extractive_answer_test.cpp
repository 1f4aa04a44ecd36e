#include "rag/extractive_answer.hpp"

#include <gtest/gtest.h>

#include "fake_retriever.hpp"

namespace sluice::rag {
namespace {

using testing::hit;

const Tokenizer& english() {
  static const Tokenizer tokenizer = *Tokenizer::create("english");
  return tokenizer;
}

TEST(ExtractiveAnswerTest, SplitsSentencesAndLines) {
  EXPECT_EQ(split_sentences("One. Two!  Three?\nFour v1.2 five"),
            (std::vector<std::string_view>{"One.", "Two!", "Three?", "Four v1.2 five"}));
}

TEST(ExtractiveAnswerTest, PicksTheMostRelevantSentencesWithTheirPassageNumbers) {
  const std::vector<SearchHit> hits = {
      hit(1, "A", "", 0, "Cats sleep a lot. The capital of France is Paris."),
      hit(2, "B", "", 0, "Paris hosts the Louvre museum. Berlin is in Germany."),
  };
  const std::string answer = extractive_answer("What is the capital of France?", hits, english());
  EXPECT_EQ(answer.find("The capital of France is Paris. [1]"), 0u) << answer;
  EXPECT_EQ(answer.find("Cats"), std::string::npos);
  EXPECT_EQ(answer.find("Berlin"), std::string::npos);
}

TEST(ExtractiveAnswerTest, SentencesFarLessRelevantThanTheBestAreLeftOut) {
  const std::vector<SearchHit> hits = {
      hit(1, "A", "", 0, "Sluice installs with apt. Sluice answers questions.")};
  EXPECT_EQ(extractive_answer("How does Sluice install?", hits, english()),
            "Sluice installs with apt. [1]");
}

TEST(ExtractiveAnswerTest, LimitsTheNumberOfSentences) {
  const std::vector<SearchHit> hits = {hit(1, "A", "", 0, "Paris one. Paris two. Paris three.")};
  EXPECT_EQ(extractive_sentences("paris", hits, english(), 2).size(), 2u);
}

TEST(ExtractiveAnswerTest, RepeatedSentencesAppearOnce) {
  const std::vector<SearchHit> hits = {hit(1, "A", "", 0, "Paris is big."),
                                       hit(2, "A", "", 0, "Paris is big.")};
  EXPECT_EQ(extractive_answer("paris", hits, english()), "Paris is big. [1]");
}

TEST(ExtractiveAnswerTest, WithoutSharedTermsQuotesTheBestPassage) {
  const std::vector<SearchHit> hits = {hit(1, "A", "", 0, "Alpha first. Beta second.")};
  EXPECT_EQ(extractive_answer("zebra", hits, english()), "Alpha first. [1]");
}

TEST(ExtractiveAnswerTest, NoPassagesSaysNothingWasFound) {
  EXPECT_EQ(extractive_answer("anything", {}, english()), kNothingFoundAnswer);
}

}  // namespace
}  // namespace sluice::rag
