#include "gateway/providers/openai/openai_wire.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/token_count.hpp"

namespace sluice::gateway {
namespace {

TEST(TrailingUsageTest, ReadsTheLastUsageWithoutTheRest) {
  // The floats before it are not even valid JSON here: they are never parsed.
  const std::string body =
      R"({"data":[{"embedding":[0.1, NOT JSON]}],"usage":{"prompt_tokens":7,"total_tokens":7}})";
  Usage usage;
  ASSERT_TRUE(read_trailing_usage(body, usage));
  EXPECT_EQ(usage.prompt_tokens, 7);
  EXPECT_TRUE(usage.reported);
}

TEST(TrailingUsageTest, IgnoresQuotedTextAndMissingUsage) {
  Usage usage;
  EXPECT_FALSE(read_trailing_usage(R"({"content":"say \"usage\" twice"})", usage));
  EXPECT_FALSE(read_trailing_usage(R"({"usage":null})", usage));
  EXPECT_FALSE(read_trailing_usage(R"({"usage":{"prompt_tokens":)", usage));  // cut short
}

TEST(ReadUsageTest, OutOfRangeCountsAreClamped) {
  // An upstream's 1e300 once became a negative token metric.
  const boost::json::object chunk = boost::json::parse(R"({"usage":{"prompt_tokens":1e300,
      "completion_tokens":-3,"prompt_tokens_details":{"cached_tokens":18446744073709551615}}})")
                                        .as_object();
  Usage usage;
  ASSERT_TRUE(read_usage(chunk, usage));
  EXPECT_EQ(usage.prompt_tokens, kMaxTokenCount);
  EXPECT_EQ(usage.completion_tokens, 0);
  EXPECT_EQ(usage.cached_tokens, kMaxTokenCount);
}

TEST(InspectResponseTest, UsageFromTheResponseOrEstimated) {
  const boost::json::object request =
      boost::json::parse(R"({"messages":[{"role":"user","content":"hello"}]})").as_object();
  Usage reported;
  ASSERT_TRUE(inspect_response(
      R"({"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":2}}})",
      request, reported));
  EXPECT_EQ(reported.prompt_tokens, 3);
  EXPECT_EQ(reported.completion_tokens, 1);
  EXPECT_EQ(reported.cached_tokens, 2);
  EXPECT_FALSE(reported.estimated);
  Usage estimated;
  ASSERT_TRUE(inspect_response(R"({"choices":[{"message":{"content":"twelve bytes"}}]})", request,
                               estimated));
  EXPECT_TRUE(estimated.estimated);
  EXPECT_EQ(estimated.completion_tokens, 3);
  EXPECT_GT(estimated.prompt_tokens, 0);
  Usage none;
  EXPECT_FALSE(inspect_response("not json", request, none));
}

TEST(InspectChunkTest, ClassifiesChunks) {
  Usage usage;
  auto content = inspect_chunk(R"({"choices":[{"delta":{"content":"abc"}}]})", usage);
  EXPECT_TRUE(content.is_json);
  EXPECT_EQ(content.content_bytes, 3u);
  EXPECT_FALSE(content.usage_only);
  auto tail =
      inspect_chunk(R"({"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":5}})", usage);
  EXPECT_TRUE(tail.usage_only);
  EXPECT_EQ(usage.completion_tokens, 5);
  EXPECT_TRUE(inspect_chunk(R"({"error":{"message":"overloaded"}})", usage).is_error);
  EXPECT_FALSE(inspect_chunk("garbage", usage).is_json);
}

TEST(InspectChunkTest, ScanAgreesWithParseOnSpacedAndEscapedJson) {
  Usage usage;
  // Python servers write ": " and ", "; content may hold escapes and the word usage.
  auto spaced = inspect_chunk(
      R"({"choices": [{"delta": {"content": "say \"usage\": {x}"}}], "usage": null})", usage);
  EXPECT_TRUE(spaced.is_json);
  EXPECT_FALSE(spaced.usage_only);
  EXPECT_EQ(spaced.content_bytes, 16u);  // say "usage": {x}
  auto tail = inspect_chunk(
      R"({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2}})", usage);
  EXPECT_TRUE(tail.usage_only);
  EXPECT_EQ(usage.completion_tokens, 2);
  auto tool = inspect_chunk(
      R"({"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\"a\":1}"}}]}}]})", usage);
  EXPECT_EQ(tool.content_bytes, 7u);
}

TEST(UpstreamBodyTest, RawBodyKeptUnlessSomethingChanges) {
  const boost::json::object body =
      boost::json::parse(R"({"model":"m","messages":[],"stream":true,"x":1})").as_object();
  ChatRequest request;
  request.body = &body;
  request.model = "m";
  request.stream = true;
  request.include_usage = true;
  EXPECT_TRUE(upstream_chat_body(request, "m").unchanged());  // bytes pass through untouched
  auto renamed = boost::json::parse(upstream_chat_body(request, "upstream-m").text()).as_object();
  EXPECT_EQ(renamed.at("model"), "upstream-m");
  EXPECT_EQ(renamed.at("x"), 1);
  request.include_usage = false;  // the gateway still needs usage: it asks for it
  auto forced = boost::json::parse(upstream_chat_body(request, "m").text()).as_object();
  EXPECT_EQ(forced.at("stream_options").at("include_usage"), true);
}

TEST(UpstreamBodyTest, ARenameSendsTheRawBodyInPiecesAroundTheModel) {
  // The client's bytes with one value replaced, sent in pieces: nothing copied or serialized.
  const std::string raw = R"({"model" : "alias", "messages":[], "temperature":1.50, "x":"\u00e9"})";
  const boost::json::object body = boost::json::parse(raw).as_object();
  ChatRequest request;
  request.body = &body;
  request.raw_body = raw;
  request.model = "alias";
  const OutgoingBody renamed = upstream_chat_body(request, "up");
  EXPECT_EQ(renamed.text(), R"({"model" : "up", "messages":[], "temperature":1.50, "x":"\u00e9"})");
  const auto pieces = renamed.pieces();
  EXPECT_EQ(pieces[0].data(), raw.data()) << "a view of the raw body, not a copy";
  EXPECT_EQ(pieces[2].data() + pieces[2].size(), raw.data() + raw.size());
  EXPECT_EQ(renamed.size(), raw.size() - 3);
  EmbeddingsRequest embeddings;
  embeddings.body = &body;
  embeddings.raw_body = raw;
  embeddings.model = "alias";
  EXPECT_EQ(upstream_embeddings_body(embeddings, "up").text(), renamed.text());
  // A model that needs escaping, or a body the scan cannot place it in, is rebuilt.
  EXPECT_EQ(boost::json::parse(upstream_chat_body(request, "a\"b").text()).at("model"), "a\"b");
  const std::string twice = R"({"model":"alias","model":"alias"})";
  const boost::json::object twice_body = boost::json::parse(twice).as_object();
  request.body = &twice_body;
  request.raw_body = twice;
  EXPECT_EQ(upstream_chat_body(request, "up").text(), R"({"model":"up"})");
}

TEST(UpstreamBodyTest, ForcedUsageKeepsTheClientsStreamOptions) {
  const std::string raw =
      R"({"model":"alias","stream":true,"stream_options":{"x":1},"messages":[{"role":"user"}]})";
  const boost::json::object body = boost::json::parse(raw).as_object();
  ChatRequest request;
  request.body = &body;
  request.raw_body = raw;
  request.model = "alias";
  request.stream = true;
  EXPECT_EQ(upstream_chat_body(request, "up").text(),
            R"({"model":"up","stream":true,"stream_options":{"x":1,"include_usage":true},)"
            R"("messages":[{"role":"user"}]})");
}

TEST(UpstreamBodyTest, ParameterRulesApplyOnceAndOnlyWhenTheyChangeSomething) {
  const ParamRules rules({}, /*builtin=*/true);
  const BodyOptions options{&rules, true};
  const boost::json::object plain =
      boost::json::parse(R"({"model":"o3","messages":[],"max_completion_tokens":9})").as_object();
  ChatRequest request;
  request.body = &plain;
  request.model = "o3";
  EXPECT_TRUE(upstream_chat_body(request, "o3", options).unchanged()) << "no rule: raw bytes";

  const boost::json::object sampling =
      boost::json::parse(R"({"model":"r","messages":[],"max_tokens":9,"temperature":0})")
          .as_object();
  request.body = &sampling;
  request.model = "r";  // an alias of the deployment o3
  EXPECT_EQ(upstream_chat_body(request, "o3", options).text(),
            R"({"model":"o3","messages":[],"max_completion_tokens":9})");
  EXPECT_EQ(upstream_chat_body(request, "gpt-4o", options).text(),
            R"({"model":"gpt-4o","messages":[],"max_tokens":9,"temperature":0})");
}

TEST(UpstreamBodyTest, AzureKeepsTheClientsModel) {
  // The deployment in the URL picks the model: a body that needs nothing else goes untouched.
  const boost::json::object body =
      boost::json::parse(R"({"model":"chat","messages":[]})").as_object();
  ChatRequest request;
  request.body = &body;
  request.model = "chat";
  const BodyOptions azure{nullptr, /*set_model=*/false};
  EXPECT_TRUE(upstream_chat_body(request, "my-deployment", azure).unchanged());
  EmbeddingsRequest embeddings;
  embeddings.body = &body;
  embeddings.model = "chat";
  EXPECT_TRUE(upstream_embeddings_body(embeddings, "my-deployment", azure).unchanged());
  EXPECT_FALSE(upstream_embeddings_body(embeddings, "my-deployment").unchanged());
}

TEST(ReadUsageTest, CacheReadsAndWritesAreBothRead) {
  Usage usage;
  ASSERT_TRUE(read_trailing_usage(
      R"({"usage":{"prompt_tokens":100,"completion_tokens":5,)"
      R"("prompt_tokens_details":{"cached_tokens":60,"cache_write_tokens":30}}})",
      usage));
  EXPECT_EQ(usage.prompt_tokens, 100);
  EXPECT_EQ(usage.cached_tokens, 60);
  EXPECT_EQ(usage.cache_write_tokens, 30);
  EXPECT_EQ(usage.prompt_parts().uncached, 10);
}

TEST(FinishReasonTest, FoundByScan) {
  EXPECT_EQ(finish_reason_in(R"({"choices":[{"index":0,"finish_reason":"stop"}]})"), "stop");
  EXPECT_EQ(finish_reason_in(R"({"choices":[{"finish_reason": "tool_calls"}]})"), "tool_calls");
  EXPECT_EQ(finish_reason_in(R"({"choices":[{"finish_reason":null}]})"), "");
  EXPECT_EQ(finish_reason_in(R"({"choices":[]})"), "");
  EXPECT_EQ(finish_reason_in(R"({"finish_reason":"unterminated)"), "");
}

TEST(InspectResponseTest, TruncatedBodyIsNotAResponse) {
  const auto request = boost::json::parse(R"({"model":"m","messages":[]})").as_object();
  const std::string whole =
      R"({"id":"x","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}})";
  Usage usage;
  EXPECT_TRUE(inspect_response(whole, request, usage));
  EXPECT_EQ(usage.prompt_tokens, 3);
  // Cut inside the choices, and cut just before the final brace: usage may be readable, but the
  // body is not JSON a client could parse.
  Usage cut;
  EXPECT_FALSE(inspect_response(whole.substr(0, 30), request, cut));
  EXPECT_FALSE(inspect_response(whole.substr(0, whole.size() - 1), request, cut));
  EXPECT_FALSE(inspect_response(whole + "garbage", request, cut));
}

TEST(InspectResponseTest, ABodyWithTrailingUsageIsStillValidatedWhole) {
  const auto request = boost::json::parse(R"({"model":"m","messages":[]})").as_object();
  const std::string usage_tail = R"("usage":{"prompt_tokens":3,"completion_tokens":1}})";
  const std::string whole = R"({"id":"x","choices":[{"message":{"content":"hi"}}],)" + usage_tail;
  Usage usage;
  EXPECT_TRUE(inspect_response(whole + "\n", request, usage));
  EXPECT_EQ(usage.completion_tokens, 1);
  Usage bad;
  EXPECT_FALSE(inspect_response(whole + "garbage", request, bad));
  EXPECT_FALSE(inspect_response("[" + whole, request, bad));
  EXPECT_FALSE(inspect_response(whole.substr(0, 40), request, bad));
  EXPECT_FALSE(inspect_response(R"({"choices":[[[ not json )" + usage_tail, request, bad));
  EXPECT_FALSE(inspect_response(
      R"({"choices":)" + std::string(100, '[') + std::string(100, ']') + "," + usage_tail, request,
      bad));
}

}  // namespace
}  // namespace sluice::gateway

namespace sluice::gateway {
namespace {

TEST(UsageRequestedTest, OnlyAnExplicitTrue) {
  auto ask = [](const char* text) { return usage_requested(boost::json::parse(text).as_object()); };
  EXPECT_TRUE(ask(R"({"stream_options":{"include_usage":true}})"));
  EXPECT_FALSE(ask(R"({"stream_options":{"include_usage":false}})"));
  EXPECT_FALSE(ask(R"({"stream_options":{"include_usage":"yes"}})"));
  EXPECT_FALSE(ask(R"({"stream_options":null})"));
  EXPECT_FALSE(ask(R"({})"));
}

}  // namespace
}  // namespace sluice::gateway
