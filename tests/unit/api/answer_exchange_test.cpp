#include "api/answer_exchange.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::api {
namespace {

namespace json = boost::json;

TEST(AnswerExchangeTest, ParsesEveryQueryField) {
  auto request =
      parse_query_request(json::parse(
                              R"({"question":"q?","collection":"docs","session_id":"ses_1",
          "top_k":3,"model":"gpt","filters":{"tags":["t"]}})")
                              .as_object());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->question, "q?");
  EXPECT_EQ(request->collection, "docs");
  EXPECT_EQ(request->session_id, "ses_1");
  EXPECT_EQ(request->top_k, 3u);
  EXPECT_EQ(request->model, "gpt");
  EXPECT_EQ(request->filters.tags, std::vector<std::string>{"t"});
}

TEST(AnswerExchangeTest, WrongTypesNameTheirField) {
  auto param_of = [](const char* body) {
    return parse_query_request(json::parse(body).as_object()).error().param;
  };
  EXPECT_EQ(param_of(R"({})"), "question");
  EXPECT_EQ(param_of(R"({"question":1})"), "question");
  EXPECT_EQ(param_of(R"({"question":"q","collection":2})"), "collection");
  EXPECT_EQ(param_of(R"({"question":"q","top_k":0})"), "top_k");
  EXPECT_EQ(param_of(R"({"question":"q","top_k":"3"})"), "top_k");
  EXPECT_EQ(param_of(R"({"question":"q","filters":{"tags":[1]}})"), "filters.tags");
  EXPECT_EQ(optional_bool(json::parse(R"({"stream":"yes"})").as_object(), "stream").error().param,
            "stream");
}

TEST(AnswerExchangeTest, ResponseHasTheDocumentedFields) {
  rag::Answer answer;
  answer.text = "A [1].";
  answer.citations.push_back(rag::Citation{1, "doc_1", "c1", 5, "T", "H", 2, "s", 0.5f});
  answer.usage = {10, 5};
  answer.model = "extractive";
  answer.template_version = "rag-v1";
  answer.modes = {"bm25"};
  answer.collection_id = "col_1";
  const json::object out = answer_json(answer, "req-1", "ses_1");
  EXPECT_EQ(out.at("answer").as_string(), "A [1].");
  EXPECT_EQ(out.at("citations").as_array().size(), 1u);
  EXPECT_EQ(out.at("cached").as_bool(), false);
  EXPECT_EQ(out.at("usage").at("total_tokens").as_int64(), 15);
  EXPECT_EQ(out.at("model").as_string(), "extractive");
  EXPECT_EQ(out.at("request_id").as_string(), "req-1");
  EXPECT_EQ(out.at("template_version").as_string(), "rag-v1");
  EXPECT_EQ(out.at("session_id").as_string(), "ses_1");
  EXPECT_FALSE(answer_json(answer, "req-1", "").contains("session_id"));
}

}  // namespace
}  // namespace sluice::api
