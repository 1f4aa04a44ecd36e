#include "rag/tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice::rag {
namespace {

using Terms = std::vector<std::string>;

Tokenizer tokenizer(std::string_view language) {
  Result<Tokenizer> created = Tokenizer::create(language);
  EXPECT_TRUE(created.ok());
  return std::move(created).value();
}

TEST(TokenizerTest, UnknownLanguageIsRefusedAtCreation) {
  const Result<Tokenizer> created = Tokenizer::create("klingon");
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, Errc::invalid_request);
  EXPECT_NE(created.error().message.find("english"), std::string::npos);
  EXPECT_FALSE(Tokenizer::create("English").ok());  // Snowball's own spelling only
  EXPECT_TRUE(Tokenizer::create("russian").ok());
  EXPECT_TRUE(Tokenizer::create("none").ok());
}

TEST(TokenizerTest, EnglishFoldsDropsStopWordsAndStems) {
  EXPECT_EQ(tokenizer("english").terms("The Running dogs were RUNNING to the parks!"),
            (Terms{"run", "dog", "run", "park"}));
}

TEST(TokenizerTest, NoneOnlyFolds) {
  EXPECT_EQ(tokenizer("none").terms("The Running dogs"), (Terms{"the", "running", "dogs"}));
}

TEST(TokenizerTest, FoldsNonAsciiCase) {
  const Tokenizer none = tokenizer("none");
  EXPECT_EQ(none.terms("ÄRGER ärger"), (Terms{"ärger", "ärger"}));
  EXPECT_EQ(none.terms("ΣΟΦΟΣ σοφος"), (Terms{"σοφοσ", "σοφοσ"}));
  EXPECT_EQ(none.terms("МОСКВА Москва"), (Terms{"москва", "москва"}));
  EXPECT_EQ(none.terms("ＡＢＣ１２３"), (Terms{"abc123"}));
}

TEST(TokenizerTest, StemsOtherLanguagesWithTheirStopWords) {
  EXPECT_EQ(tokenizer("german").terms("Die Häuser und die Kinder"), (Terms{"haus", "kind"}));
  EXPECT_EQ(tokenizer("french").terms("L'homme et les maisons"), (Terms{"homm", "maison"}));
  EXPECT_EQ(tokenizer("spanish").terms("Los niños corriendo"), (Terms{"niñ", "corr"}));
  EXPECT_EQ(tokenizer("russian").terms("Книги"), (Terms{"книг"}));
}

TEST(TokenizerTest, KeepsDigitsAndSplitsOnPunctuation) {
  EXPECT_EQ(tokenizer("english").terms("HTTP/2 on port 8080, v1.2 (mp3)"),
            (Terms{"http", "2", "port", "8080", "v1", "2", "mp3"}));
}

TEST(TokenizerTest, IdeographsAreOneTermEach) {
  EXPECT_EQ(tokenizer("english").terms("東京タワー and Tokyo"),
            (Terms{"東", "京", "タ", "ワ", "ー", "tokyo"}));
}

TEST(TokenizerTest, IllFormedBytesSeparateWords) {
  EXPECT_EQ(tokenizer("none").terms("abc\xFF"
                                    "def\xC3"),
            (Terms{"abc", "def"}));
  EXPECT_EQ(tokenizer("none").terms("\xE2\x82"), Terms{});
}

TEST(TokenizerTest, DropsOverlongWords) {
  const std::string blob(Tokenizer::kMaxTermBytes + 1, 'x');
  EXPECT_EQ(tokenizer("none").terms("keep " + blob + " this"), (Terms{"keep", "this"}));
  const std::string longest(Tokenizer::kMaxTermBytes, 'y');
  EXPECT_EQ(tokenizer("none").terms(longest), Terms{longest});
}

TEST(TokenizerTest, ForEachTermMatchesTerms) {
  const Tokenizer english = tokenizer("english");
  const std::string text = "Searching indexes quickly: 42 Ärzte, σοφός!";
  Terms seen;
  english.for_each_term(text, [&](std::string_view term) { seen.emplace_back(term); });
  EXPECT_EQ(seen, english.terms(text));
}

TEST(TokenizerTest, IsSafeToShareBetweenThreads) {
  const Tokenizer english = tokenizer("english");
  const Terms expected = english.terms("connections connected connecting");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        if (english.terms("connections connected connecting") != expected) ++mismatches[t];
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
  EXPECT_EQ(expected, (Terms{"connect", "connect", "connect"}));
}

TEST(TokenizerTest, CountsTokensApproximately) {
  EXPECT_EQ(Tokenizer::count_tokens(""), 0u);
  EXPECT_EQ(Tokenizer::count_tokens("   \n\t"), 0u);
  EXPECT_EQ(Tokenizer::count_tokens("the cat"), 2u);
  EXPECT_EQ(Tokenizer::count_tokens("running"), 2u);  // 7 characters: ceil(7 / 4)
  EXPECT_EQ(Tokenizer::count_tokens("Hi, you!"), 4u);
  EXPECT_EQ(Tokenizer::count_tokens("中文"), 2u);
  EXPECT_EQ(Tokenizer::count_tokens("москва"), 3u);  // 6 letters, 2 units each
  EXPECT_EQ(Tokenizer::count_tokens("\xFF"), 1u);
}

TEST(TokenizerTest, TokenCountIsAdditiveOverWhitespaceAndBoundedByBytes) {
  const std::string a = "First, a sentence.";
  const std::string b = "Zweite Größe 中文!";
  EXPECT_EQ(Tokenizer::count_tokens(a + "\n\n" + b),
            Tokenizer::count_tokens(a) + Tokenizer::count_tokens(b));
  for (const std::string& text : {a, b, std::string("!!!!"), std::string("\xFF\xFE")})
    EXPECT_LE(Tokenizer::count_tokens(text), text.size());
}

}  // namespace
}  // namespace sluice::rag
