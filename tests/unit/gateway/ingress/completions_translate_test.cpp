#include "gateway/ingress/completions_translate.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

Result<json::object> translate(std::string_view request) {
  return chat_request_from_completions(parse_object(request));
}

TEST(CompletionsRequest, PromptBecomesOneUserMessageWithOpenAisDefaultLength) {
  auto chat = translate(R"({"model":"m","prompt":"Once upon","temperature":0.5,"stop":["\n"],
                            "n":2,"user":"u"})");
  ASSERT_TRUE(chat.ok());
  EXPECT_EQ(json::serialize(chat->at("messages")), R"([{"role":"user","content":"Once upon"}])");
  EXPECT_EQ(chat->at("max_tokens"), 16);
  EXPECT_EQ(chat->at("temperature"), 0.5);
  EXPECT_EQ(chat->at("n"), 2);
  EXPECT_EQ(chat->at("user"), "u");
  EXPECT_FALSE(chat->contains("stream"));
  auto one = translate(R"({"model":"m","prompt":["only"],"max_tokens":5,"stream":true})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->at("messages").as_array()[0].at("content"), "only");
  EXPECT_EQ(one->at("max_tokens"), 5);
  EXPECT_EQ(json::serialize(one->at("stream_options")), R"({"include_usage":true})");
}

TEST(CompletionsRequest, WhatChatCannotExpressNamesTheParam) {
  EXPECT_EQ(translate(R"({"prompt":"x"})").error().param, "model");
  EXPECT_EQ(translate(R"({"model":"m"})").error().param, "prompt");
  EXPECT_EQ(translate(R"({"model":"m","prompt":["a","b"]})").error().param, "prompt");
  EXPECT_EQ(translate(R"({"model":"m","prompt":[1,2,3]})").error().param, "prompt");
  EXPECT_EQ(translate(R"({"model":"m","prompt":"x","echo":true})").error().param, "echo");
  EXPECT_EQ(translate(R"({"model":"m","prompt":"x","suffix":"end"})").error().param, "suffix");
  EXPECT_EQ(translate(R"({"model":"m","prompt":"x","logprobs":2})").error().param, "logprobs");
  EXPECT_EQ(translate(R"({"model":"m","prompt":"x","best_of":3})").error().param, "best_of");
  EXPECT_TRUE(
      translate(R"({"model":"m","prompt":"x","echo":false,"best_of":1,"logprobs":null})").ok());
}

TEST(CompletionsRequest, BestOfBelowOneIsInvalidNotUnsupported) {
  for (const char* best_of : {"0", "-1", "1.5", "\"2\""}) {
    const auto refused =
        translate(std::string(R"({"model":"m","prompt":"x","best_of":)") + best_of + "}");
    ASSERT_FALSE(refused.ok()) << best_of;
    EXPECT_EQ(refused.error().param, "best_of");
    EXPECT_EQ(refused.error().message, "Invalid 'best_of': expected a whole number of at least 1")
        << best_of;
  }
  const auto above = translate(R"({"model":"m","prompt":"x","best_of":2})");
  ASSERT_FALSE(above.ok());
  EXPECT_NE(above.error().message.find("above 1 is not supported"), std::string::npos);
}

TEST(CompletionsResponse, ChoicesCarryTheMessageText) {
  auto text = completion_from_chat(
      R"({"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":"a time"},
          "finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,
          "total_tokens":5}})",
      "cmpl-1", 1700000000, "alias");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            R"({"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"up",)"
            R"("choices":[{"text":"a time","index":0,"logprobs":null,"finish_reason":"length"}],)"
            R"("usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})");
  Usage counted;
  counted.prompt_tokens = 4;
  counted.completion_tokens = 1;
  auto fallback = completion_from_chat(R"({"choices":[]})", "cmpl-2", 1, "alias", &counted);
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(parse_object(*fallback).at("usage").at("total_tokens"), 5);
  EXPECT_EQ(parse_object(*fallback).at("model"), "alias");
  EXPECT_EQ(completion_from_chat("[]", "c", 1, "m").error().code, Errc::bad_gateway);
}

TEST(CompletionsStream, ChunksCarryTextDeltasAndUsageOnlyWhenAsked) {
  EXPECT_EQ(completion_chunk_from_chat(R"({"choices":[{"index":0,"delta":{"role":"assistant"}}]})",
                                       "cmpl-s", 7, "m", false),
            "");
  EXPECT_EQ(completion_chunk_from_chat(R"({"model":"up","choices":[{"index":0,"delta":{
                                           "content":"Hi"}}]})",
                                       "cmpl-s", 7, "m", false),
            R"({"id":"cmpl-s","object":"text_completion","created":7,"model":"up",)"
            R"("choices":[{"text":"Hi","index":0,"logprobs":null,"finish_reason":null}]})");
  EXPECT_EQ(parse_object(completion_chunk_from_chat(
                             R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
                             "cmpl-s", 7, "m", false))
                .at("choices")
                .as_array()[0]
                .at("finish_reason"),
            "stop");
  const std::string usage = R"({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,
                                "total_tokens":2}})";
  EXPECT_EQ(completion_chunk_from_chat(usage, "cmpl-s", 7, "m", false), "");
  EXPECT_EQ(parse_object(completion_chunk_from_chat(usage, "cmpl-s", 7, "m", true))
                .at("usage")
                .at("total_tokens"),
            2);
}

}  // namespace
}  // namespace sluice::gateway
