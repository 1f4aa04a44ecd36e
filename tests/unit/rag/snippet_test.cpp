#include "rag/snippet.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

class SnippetTest : public ::testing::Test {
 protected:
  Tokenizer tokenizer = *Tokenizer::create("english");
  // Sorted and deduplicated, as best_snippet wants them.
  std::vector<std::string> terms(const std::string& query) {
    auto list = tokenizer.terms(query);
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    return list;
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

TEST_F(SnippetTest, CountsEveryMatchingTermOfAWord) {
  // "index,indexes" is one word with two hits; it beats two words with one each.
  std::string text = "indexing alone here. ";
  for (int i = 0; i < 20; ++i) text += "filler ";
  text += "index,indexes";
  for (int i = 0; i < 20; ++i) text += " padding";
  const std::string snippet = best_snippet(text, tokenizer, terms("index"), 30);
  EXPECT_NE(snippet.find("index,indexes"), std::string::npos) << snippet;
}

TEST_F(SnippetTest, MatchesTermsOfNonAsciiWords) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "filler ";
  text += "Größe Größe ";
  for (int i = 0; i < 30; ++i) text += "padding ";
  const std::string snippet = best_snippet(text, tokenizer, terms("größe"), 30);
  EXPECT_NE(snippet.find("Größe Größe"), std::string::npos) << snippet;
}

// The window as tokenizing each whitespace-separated word alone would pick it.
TEST_F(SnippetTest, AgreesWithTokenizingEachWordAlone) {
  const std::vector<std::string> pieces{"index",     "indexes,",  "B-tree",
                                        "(indexed)", "Größe",     "漢字",
                                        "the",       "of",        "x" + std::string(70, 'y'),
                                        "VACUUM;",   "vacuuming", "\xff\xfe",
                                        "naïve",     "a.b.c",     "1999",
                                        "\t",        "\n\n",      "  "};
  const std::vector<std::string> query = terms("index vacuum größe 漢 tree 1999 naïve");
  uint32_t seed = 7;
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int i = 0; i < 120; ++i) {
      seed = seed * 1103515245 + 12345;
      text += pieces[(seed >> 16) % pieces.size()];
      text += (seed >> 8) % 3 == 0 ? "" : " ";
    }
    // Reference: each word's terms counted alone; the first window with the most hits.
    struct Word {
      std::size_t start, end;
      int hits;
    };
    std::vector<Word> words;
    for (std::size_t i = 0; i < text.size();) {
      const auto space = [&](char c) { return c == ' ' || c == '\n' || c == '\t'; };
      while (i < text.size() && space(text[i])) ++i;
      const std::size_t start = i;
      while (i < text.size() && !space(text[i])) ++i;
      if (start == i) break;
      Word word{start, i, 0};
      tokenizer.for_each_term(text.substr(start, i - start), [&](std::string_view term) {
        word.hits += std::binary_search(query.begin(), query.end(), std::string(term));
      });
      words.push_back(word);
    }
    std::size_t best = 0;
    int best_hits = -1;
    for (std::size_t first = 0; first < words.size(); ++first) {
      int hits = 0;
      for (std::size_t w = first; w < words.size() && words[w].end - words[first].start <= 80; ++w)
        hits += words[w].hits;
      if (hits > best_hits) best_hits = hits, best = first;
    }
    const std::string snippet = best_snippet(text, tokenizer, query, 80);
    const std::string first_word =
        text.substr(words[best].start, words[best].end - words[best].start);
    EXPECT_EQ(snippet.rfind(first_word.substr(0, std::min<std::size_t>(first_word.size(), 40)), 0),
              0u)
        << "round " << round << ": " << snippet;
  }
}

// One maker over many texts, with more distinct words than its memo holds, cuts what a fresh
// maker cuts for each text.
TEST_F(SnippetTest, AMakerReusedAcrossTextsAgreesWithFreshOnes) {
  const std::vector<std::string> query = terms("index word7 word300 Größe");
  SnippetMaker shared(tokenizer, query, 60);
  for (int t = 0; t < 40; ++t) {
    std::string text;
    for (int i = 0; i < 200; ++i)
      text += "word" + std::to_string((t * 131 + i * 7) % 5000) + (i % 17 == 0 ? " Index " : " ");
    text += t % 2 ? "Größe indexes" : "";
    EXPECT_EQ(shared.best(text), best_snippet(text, tokenizer, query, 60)) << "text " << t;
  }
  EXPECT_EQ(shared.best(std::string(100, 'x') + " index"), "index");  // a word past the memo
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
