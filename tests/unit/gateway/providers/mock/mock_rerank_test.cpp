#include "gateway/providers/mock/mock_rerank.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {
namespace json = boost::json;

TEST(MockRerank, TheScoreIsTheShareOfQueryWordsFound) {
  EXPECT_EQ(mock_rerank_score("red apples", "Apples are red."), 1.0);
  EXPECT_EQ(mock_rerank_score("red apples", "green apples"), 0.5);
  EXPECT_EQ(mock_rerank_score("red apples", "bananas"), 0.0);
  EXPECT_EQ(mock_rerank_score("red red apples", "red"), 0.5);  // distinct words
  EXPECT_EQ(mock_rerank_score("...", "anything"), 0.0);
}

TEST(MockRerank, AnswersInJinasShapeByScoreAndTopN) {
  RerankRequest request;
  request.query = "capital of France";
  request.documents = {"Berlin is a city", "Paris is the capital of France", "The capital of Italy",
                       "Lyon, France"};
  request.top_n = 3;
  const json::object answer = json::parse(mock_rerank_json(request, "m")).as_object();
  EXPECT_TRUE(answer.at("id").as_string().starts_with("rerank-"));
  EXPECT_EQ(answer.at("model"), "m");
  const json::array& results = answer.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("index"), 1);
  EXPECT_EQ(results[0].at("relevance_score"), 1.0);
  EXPECT_EQ(results[0].at("document").at("text"), "Paris is the capital of France");
  EXPECT_EQ(results[1].at("index"), 2);  // 2 of its 3 words
  EXPECT_EQ(results[2].at("index"), 3);
  EXPECT_GT(answer.at("usage").at("total_tokens").as_int64(), 0);
  request.return_documents = false;
  const json::object bare = json::parse(mock_rerank_json(request, "m")).as_object();
  EXPECT_FALSE(bare.at("results").at(0).as_object().contains("document"));
}

}  // namespace
}  // namespace sluice::gateway
