#include "rag/stop_words.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::rag {
namespace {

TEST(StopWordsTest, ListsAreSortedForTheBinarySearch) {
  for (const char* language : {"english", "french", "german", "spanish"}) {
    const auto words = StopWords::for_language(language).words();
    EXPECT_FALSE(words.empty()) << language;
    EXPECT_TRUE(std::is_sorted(words.begin(), words.end())) << language;
    EXPECT_EQ(std::adjacent_find(words.begin(), words.end()), words.end()) << language;
  }
}

TEST(StopWordsTest, FindsFoldedFunctionWords) {
  EXPECT_TRUE(StopWords::for_language("english").contains("the"));
  EXPECT_FALSE(StopWords::for_language("english").contains("kernel"));
  EXPECT_TRUE(StopWords::for_language("french").contains("été"));
  EXPECT_TRUE(StopWords::for_language("german").contains("über"));
  EXPECT_TRUE(StopWords::for_language("spanish").contains("también"));
  EXPECT_FALSE(StopWords::for_language("english").contains("The"));  // callers fold first
}

TEST(StopWordsTest, OtherLanguagesHaveNone) {
  EXPECT_TRUE(StopWords::for_language("russian").words().empty());
  EXPECT_FALSE(StopWords::for_language("russian").contains("и"));
}

}  // namespace
}  // namespace sluice::rag
