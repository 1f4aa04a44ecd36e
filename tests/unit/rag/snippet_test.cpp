#include "rag/snippet.hpp"

#include <gtest/gtest.h>

#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

class SnippetTest : public ::testing::Test {
 protected:
  Tokenizer tokenizer = *Tokenizer::create("english");
  std::unordered_set<std::string> terms(const std::string& query) {
    auto list = tokenizer.terms(query);
    return {list.begin(), list.end()};
  }
};

TEST_F(SnippetTest, ShortTextIsShownWholeWithWhitespaceCollapsed) {
  EXPECT_EQ(best_snippet("one  two\n\nthree", tokenizer, terms("two")), "one two three");
}

TEST_F(SnippetTest, PicksTheWindowWithTheMostHitsOnWordBoundaries) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "filler ";
  text += "the quick fox jumps over the lazy fox ";
  for (int i = 0; i < 60; ++i) text += "padding ";
  const std::string snippet = best_snippet(text, tokenizer, terms("fox"), 60);
  EXPECT_LE(snippet.size(), 60u);
  EXPECT_NE(snippet.find("fox jumps over the lazy fox"), std::string::npos);
  EXPECT_EQ(text.find(snippet) != std::string::npos, true);  // whole words only
  EXPECT_NE(snippet.front(), ' ');
}

TEST_F(SnippetTest, StartsAtTheBeginningWhenNothingMatches) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "word" + std::to_string(i) + " ";
  const std::string snippet = best_snippet(text, tokenizer, terms("absent"), 40);
  EXPECT_EQ(snippet.rfind("word0 word1", 0), 0u);
  EXPECT_LE(snippet.size(), 40u);
}

TEST_F(SnippetTest, NeverCutsAUtf8Sequence) {
  std::string long_word;
  for (int i = 0; i < 100; ++i) long_word += "é";  // 200 bytes, no spaces
  const std::string snippet = best_snippet(long_word, tokenizer, terms("x"), 41);
  EXPECT_EQ(snippet.size(), 40u);
  EXPECT_TRUE(is_valid_utf8(snippet));
  std::string words;
  for (int i = 0; i < 50; ++i) words += "héllo wörld ";
  EXPECT_TRUE(is_valid_utf8(best_snippet(words, tokenizer, terms("wörld"), 33)));
}

}  // namespace
}  // namespace sluice::rag
