#include "rag/text_splitter.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rag/tokenizer.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

std::string sentences(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += "Sentence number " + std::to_string(i) + " says something useful. ";
  return text;
}

void expect_within(const std::vector<std::string_view>& pieces, std::size_t limit) {
  for (std::string_view piece : pieces) {
    EXPECT_LE(Tokenizer::count_tokens(piece), limit) << piece;
    EXPECT_FALSE(piece.empty());
    EXPECT_TRUE(is_valid_utf8(piece));
  }
}

TEST(TextSplitterTest, KeepsTextWithinTheLimitWhole) {
  EXPECT_EQ(split_to_limit("  short text \n", 10), std::vector<std::string_view>{"  short text"});
  EXPECT_TRUE(split_to_limit("\n\n  \n", 10).empty());
}

TEST(TextSplitterTest, SplitsParagraphsBeforeSentences) {
  const std::string text = sentences(3) + "\n\n" + sentences(3);
  const std::size_t one_paragraph = Tokenizer::count_tokens(sentences(3));
  const auto pieces = split_to_limit(text, one_paragraph);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(std::string(pieces[0]) + " ", sentences(3));
}

TEST(TextSplitterTest, SplitsAtSentenceEnds) {
  const std::string text = sentences(40);
  const auto pieces = split_to_limit(text, 30);
  ASSERT_GT(pieces.size(), 1u);
  expect_within(pieces, 30);
  for (std::string_view piece : pieces) EXPECT_TRUE(piece.ends_with("useful.")) << piece;
}

TEST(TextSplitterTest, FallsBackToWordsThenCodePoints) {
  std::string words;
  for (int i = 0; i < 200; ++i) words += "word ";
  const auto by_words = split_to_limit(words, 7);
  expect_within(by_words, 7);
  for (std::string_view piece : by_words) EXPECT_TRUE(piece.ends_with("word")) << piece;

  std::string unbroken;
  for (int i = 0; i < 500; ++i) unbroken += "ä€x";
  const auto by_code_points = split_to_limit(unbroken, 5);
  expect_within(by_code_points, 5);
  std::string joined;
  for (std::string_view piece : by_code_points) joined += piece;
  EXPECT_EQ(joined, unbroken);
}

TEST(TextSplitterTest, SplitsCjkSentences) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "我们今天去公园。";
  const auto pieces = split_to_limit(text, 20);
  expect_within(pieces, 20);
  for (std::string_view piece : pieces) EXPECT_TRUE(piece.ends_with("。"));
}

TEST(TextSplitterTest, TailTakesWholeSentencesWithinTheBudget) {
  const std::string text = "One long first sentence here. Two short. Three short.";
  const std::size_t last = Tokenizer::count_tokens("Three short.");
  const std::size_t last_two = Tokenizer::count_tokens("Two short. Three short.");
  EXPECT_EQ(sentence_tail(text, last_two), "Two short. Three short.");
  EXPECT_EQ(sentence_tail(text, last_two - 1), "Three short.");
  EXPECT_EQ(sentence_tail(text, last), "Three short.");
  EXPECT_EQ(sentence_tail(text, last - 1), "");
  EXPECT_EQ(sentence_tail(text, 0), "");
  EXPECT_EQ(sentence_tail("line one\nline two\n", Tokenizer::count_tokens("line two")), "line two");
}

}  // namespace
}  // namespace sluice::rag
