#include "gateway/rerank/rerank_answer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {
namespace json = boost::json;

RerankRequest request_of(std::size_t documents) {
  RerankRequest request;
  request.model = "r";
  request.query = "four";  // 4 bytes
  for (std::size_t i = 0; i < documents; ++i)
    request.documents.push_back("doc" + std::to_string(i));
  return request;
}

TEST(RerankAnswer, ResultsAreSortedByScoreThenIndexAndCutToTopN) {
  RerankRequest request = request_of(4);
  request.top_n = 3;
  const RerankAnswer answer =
      parse_rerank_answer(R"({"id":"up-1","results":[{"index":0,"relevance_score":0.2},
          {"index":3,"relevance_score":0.9},{"index":2,"relevance_score":0.5},
          {"index":1,"relevance_score":0.5}],"usage":{"total_tokens":42}})",
                          request)
          .value();
  EXPECT_EQ(answer.id, "up-1");
  ASSERT_EQ(answer.results.size(), 3u);
  EXPECT_EQ(answer.results[0].index, 3u);
  EXPECT_EQ(answer.results[1].index, 1u);  // ties by index
  EXPECT_EQ(answer.results[2].index, 2u);
  EXPECT_EQ(answer.results[0].relevance_score, 0.9);
  EXPECT_EQ(answer.usage.prompt_tokens, 42);
  EXPECT_FALSE(answer.usage.estimated);
}

TEST(RerankAnswer, UsageIsEstimatedWhenTheUpstreamCountsNone) {
  // Cohere reports search units, not tokens: each pair's bytes / 4.
  const RerankAnswer answer =
      parse_rerank_answer(
          R"({"results":[{"index":0,"relevance_score":1}],"meta":{"billed_units":{"search_units":1}}})",
          request_of(2))
          .value();
  EXPECT_TRUE(answer.usage.estimated);
  EXPECT_EQ(answer.usage.prompt_tokens, 4);  // (4 + 4) * 2 bytes
  EXPECT_EQ(parse_rerank_answer(R"({"results":[],"usage":{"prompt_tokens":7}})", request_of(1))
                .value()
                .usage.prompt_tokens,
            7);
}

TEST(RerankAnswer, UnusableAnswersSayWhy) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"not json", "not a JSON object"},
      {R"([])", "not a JSON object"},
      {R"({"data":[]})", "no 'results' array"},
      {R"({"results":[{"index":0}]})", "relevance_score"},
      {R"({"results":[{"index":0,"relevance_score":"high"}]})", "relevance_score"},
      {R"({"results":[{"relevance_score":1}]})", "index"},
      {R"({"results":[{"index":2,"relevance_score":1}]})", "index"},
      {R"({"results":[{"index":-1,"relevance_score":1}]})", "index"},
      {R"({"results":[{"index":0.5,"relevance_score":1}]})", "index"},
      {R"({"results":[{"index":1,"relevance_score":1},{"index":1,"relevance_score":0}]})",
       "ranked twice"},
  };
  for (const auto& [body, why] : cases) {
    const auto answer = parse_rerank_answer(body, request_of(2));
    ASSERT_FALSE(answer.ok()) << body;
    EXPECT_EQ(answer.error().code, Errc::bad_gateway);
    EXPECT_NE(answer.error().message.find(why), std::string::npos) << answer.error().message;
  }
}

TEST(RerankAnswer, TheResponseCarriesDocumentsWhenAsked) {
  RerankRequest request = request_of(2);
  RerankAnswer answer;
  answer.results = {{1, 0.75}, {0, 0.25}};
  answer.usage.prompt_tokens = 9;
  EXPECT_EQ(rerank_response_json(answer, request, "alias", "rerank-x"),
            R"({"id":"rerank-x","model":"alias","results":[)"
            R"({"index":1,"relevance_score":7.5E-1,"document":{"text":"doc1"}},)"
            R"({"index":0,"relevance_score":2.5E-1,"document":{"text":"doc0"}}],)"
            R"("usage":{"total_tokens":9}})");
  request.return_documents = false;
  answer.id = "up-2";
  const json::value plain = json::parse(rerank_response_json(answer, request, "alias", "x"));
  EXPECT_EQ(plain.at("id"), "up-2");
  EXPECT_FALSE(plain.at("results").at(0).as_object().contains("document"));
}

}  // namespace
}  // namespace sluice::gateway
