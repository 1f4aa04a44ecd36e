#include "rag/citations.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_retriever.hpp"

namespace sluice::rag {
namespace {

using testing::hit;

std::vector<Citation> three() {
  return citations_for(
      {hit(10, "A", "", 0, "a"), hit(20, "B", "H", 4, "b"), hit(30, "C", "", 0, "c")});
}

TEST(CitationsTest, NumberedAsThePassages) {
  const auto citations = three();
  ASSERT_EQ(citations.size(), 3u);
  EXPECT_EQ(citations[1].index, 2);
  EXPECT_EQ(citations[1].chunk_id, 20);
  EXPECT_EQ(citations[1].document_id, "doc_20");
  EXPECT_EQ(citations[1].id, "client-20");
  EXPECT_EQ(citations[1].heading_path, "H");
  EXPECT_EQ(citations[1].page, 4);
}

TEST(CitationsTest, CitedIndicesReadEveryBracketForm) {
  EXPECT_EQ(cited_indices("a [2] b [1][3]", 3), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(cited_indices("see [1, 3] and [3]", 3), (std::vector<int>{1, 3}));
  EXPECT_EQ(cited_indices("out of range [4] [0]", 3), std::vector<int>{});
  EXPECT_EQ(cited_indices("not a citation [a] [1a] [] [", 3), std::vector<int>{});
}

TEST(CitationsTest, KeepsOnlyTheCitedOnesWithTheirNumbers) {
  const auto kept = keep_cited(three(), "Answer [3].");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].index, 3);
  EXPECT_EQ(kept[0].chunk_id, 30);
}

TEST(CitationsTest, AnAnswerCitingNothingKeepsThemAll) {
  EXPECT_EQ(keep_cited(three(), "No brackets here.").size(), 3u);
}

TEST(CitationsTest, JsonHasTheDocumentedFields) {
  const auto array = citations_json(three());
  const auto& c = array.at(1).as_object();
  for (const char* key : {"index", "document_id", "id", "chunk_id", "title", "heading_path", "page",
                          "snippet", "score"})
    EXPECT_TRUE(c.contains(key)) << key;
  EXPECT_EQ(c.at("index").as_int64(), 2);
  EXPECT_EQ(c.at("title").as_string(), "B");
  EXPECT_EQ(c.at("page").as_int64(), 4);
  EXPECT_TRUE(array.at(0).at("page").is_null());  // no pages in that format
}

}  // namespace
}  // namespace sluice::rag
