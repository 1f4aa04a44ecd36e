#include "api/search_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

namespace sluice::api {
namespace {

namespace json = boost::json;

// Returns `answer` and remembers the request it was asked.
class FakeRetriever final : public rag::Retriever {
 public:
  Result<rag::SearchResult> answer = rag::SearchResult{};
  rag::SearchRequest asked;
  boost::asio::awaitable<Result<rag::SearchResult>> search(
      const rag::SearchRequest& request) override {
    asked = request;
    co_return answer;
  }
  Result<int64_t> index_version(const std::string&) override { return int64_t{0}; }
};

class SearchRoutesTest : public ::testing::Test {
 protected:
  SearchRoutesTest() { register_search_routes(router_, retriever_, 20); }

  http::Response post(const std::string& collection, std::string body) {
    http::Exchange exchange;
    const std::string path = "/v1/collections/" + collection + "/search";
    exchange.request.method = "POST";
    exchange.request.path = path;
    exchange.request.body = std::move(body);
    auto match = router_.match("POST", path, exchange.request.params);
    EXPECT_EQ(match.outcome, http::Router::Outcome::found);
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(io, (*match.handler)(exchange), boost::asio::use_future);
    io.run();
    done.get();
    return exchange.response;
  }

  http::Router router_;
  FakeRetriever retriever_;
};

TEST_F(SearchRoutesTest, PassesTheRequestAndRendersHits) {
  rag::SearchResult result;
  rag::SearchHit hit;
  hit.chunk_id = 42;
  hit.document_id = "doc_1";
  hit.external_id = "ext";
  hit.title = "T";
  hit.heading_path = "A > B";
  hit.page = 3;
  hit.snippet = "s";
  hit.score = 0.5f;
  hit.lexical_rank = 2;
  result.hits = {hit};
  result.modes = {"bm25", "dense"};
  result.index_version = 9;
  retriever_.answer = result;
  const auto response = post(
      "my%20docs",
      R"({"query":"q","top_k":500,"mode":"hybrid","fusion":"linear","alpha":0.25,"filters":{"tags":["x"]}})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(retriever_.asked.collection, "my docs");
  EXPECT_EQ(retriever_.asked.top_k, 20u);  // capped
  EXPECT_EQ(retriever_.asked.mode, rag::SearchMode::hybrid);
  EXPECT_EQ(retriever_.asked.fusion, rag::FusionMethod::linear);
  EXPECT_FLOAT_EQ(retriever_.asked.alpha, 0.25f);
  EXPECT_EQ(retriever_.asked.filters.tags, std::vector<std::string>{"x"});
  const json::value body = json::parse(response.body);
  EXPECT_EQ(body.at("object"), "list");
  EXPECT_EQ(body.at("index_version").as_int64(), 9);
  EXPECT_EQ(json::serialize(body.at("modes")), R"(["bm25","dense"])");
  const json::value& rendered = body.at("data").at(0);
  EXPECT_EQ(rendered.at("chunk_id").as_int64(), 42);
  EXPECT_EQ(rendered.at("id"), "ext");
  EXPECT_EQ(rendered.at("heading_path"), "A > B");
  EXPECT_EQ(rendered.at("page").as_int64(), 3);
  EXPECT_EQ(rendered.at("ranks").at("bm25").as_int64(), 2);
  EXPECT_TRUE(rendered.at("ranks").at("dense").is_null());
  EXPECT_TRUE(body.at("took_ms").is_number());
}

TEST_F(SearchRoutesTest, RendersEveryFieldAsValidJson) {
  rag::SearchResult result;
  rag::SearchHit first;
  first.chunk_id = 7;
  first.document_id = "doc_\"q\"";
  first.title = "line\nbreak \\ tab\t";
  first.heading_path = "Größe > 漢字";
  first.ordinal = 4;
  first.snippet = "a \x01 b";
  first.score = 0.1f;
  first.dense_rank = 1;
  rag::SearchHit second = first;
  second.chunk_id = 8;
  second.score = 13.058008193969727f;
  result.hits = {first, second};
  result.modes = {"bm25"};
  result.collection_id = "col_1";
  result.index_version = 3;
  retriever_.answer = result;
  const auto response = post("docs", R"({"query":"q"})");
  ASSERT_EQ(response.status, 200) << response.body;
  const json::value body = json::parse(response.body);
  EXPECT_EQ(body.at("collection_id"), "col_1");
  ASSERT_EQ(body.at("data").as_array().size(), 2u);
  const json::value& hit = body.at("data").at(0);
  EXPECT_EQ(hit.at("object"), "search.hit");
  EXPECT_EQ(hit.at("document_id"), "doc_\"q\"");
  EXPECT_FALSE(hit.as_object().contains("id"));  // no external id
  EXPECT_EQ(hit.at("title"), "line\nbreak \\ tab\t");
  EXPECT_EQ(hit.at("heading_path"), "Größe > 漢字");
  EXPECT_TRUE(hit.at("page").is_null());
  EXPECT_EQ(hit.at("ordinal").as_int64(), 4);
  EXPECT_EQ(hit.at("snippet"), "a \x01 b");
  // The float score survives the round trip exactly.
  EXPECT_EQ(static_cast<float>(hit.at("score").to_number<double>()), 0.1f);
  EXPECT_EQ(static_cast<float>(body.at("data").at(1).at("score").to_number<double>()),
            13.058008193969727f);
  EXPECT_TRUE(hit.at("ranks").at("bm25").is_null());
  EXPECT_EQ(hit.at("ranks").at("dense").as_int64(), 1);
  EXPECT_EQ(body.at("data").at(1).at("chunk_id").as_int64(), 8);
}

TEST_F(SearchRoutesTest, ALoadingCollectionIs503WithRetryAfter) {
  retriever_.answer = make_error(Errc::unavailable, "loading", "collection", "collection_loading");
  const auto response = post("docs", R"({"query":"q"})");
  EXPECT_EQ(response.status, 503);
  bool retry_after = false;
  for (const auto& [name, value] : response.headers)
    retry_after = retry_after || (name == "retry-after" && value == "1");
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(json::parse(response.body).at("error").at("code"), "collection_loading");
}

TEST_F(SearchRoutesTest, InvalidFieldsAre400sNamingTheParam) {
  for (const auto& [body, param] : std::vector<std::pair<std::string, std::string>>{
           {R"({})", "query"},
           {R"({"query":""})", "query"},
           {R"({"query":"q","top_k":0})", "top_k"},
           {R"({"query":"q","top_k":"5"})", "top_k"},
           {R"({"query":"q","mode":"fuzzy"})", "mode"},
           {R"({"query":"q","fusion":"max"})", "fusion"},
           {R"({"query":"q","alpha":1.5})", "alpha"},
           {R"({"query":"q","filters":{"tags":[1]}})", "filters.tags"},
       }) {
    const auto response = post("docs", body);
    EXPECT_EQ(response.status, 400) << body;
    const json::value error = json::parse(response.body).at("error");
    EXPECT_EQ(error.at("param").as_string(), param) << body;
    if (param != "query" && param != "filters.tags")  // the message names it too
      EXPECT_NE(std::string(error.at("message").as_string()).find("'" + param + "'"),
                std::string::npos)
          << response.body;
  }
}

}  // namespace
}  // namespace sluice::api
