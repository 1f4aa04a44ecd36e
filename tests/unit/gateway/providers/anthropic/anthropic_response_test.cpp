#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/providers/anthropic/anthropic_translate.hpp"
#include "gateway/token_count.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

constexpr long long kCreated = 1700000000;

json::object translate(std::string_view anthropic_json) {
  auto body = openai_response_from_anthropic(anthropic_json, "my-alias", kCreated);
  if (!body) {
    ADD_FAILURE() << "translation failed: " << body.error().message;
    return {};
  }
  return json::parse(*body).as_object();
}

const json::object& first_choice(const json::object& response) {
  return response.at("choices").as_array().at(0).as_object();
}

// Recorded from the Messages API (ids shortened).
constexpr std::string_view kTextResponse = R"({
  "id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",
  "model":"claude-sonnet-4-5-20250929",
  "content":[{"type":"text","text":"Hello"},{"type":"text","text":", world!"}],
  "stop_reason":"end_turn","stop_sequence":null,
  "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
           "output_tokens":6,"service_tier":"standard"}})";

TEST(AnthropicResponseTest, TextBlocksBecomeOneMessage) {
  auto out = translate(kTextResponse);
  EXPECT_EQ(out.at("id"), "chatcmpl-01XFDUDYJgAACzvnptvVoYEL");
  EXPECT_EQ(out.at("object"), "chat.completion");
  EXPECT_EQ(out.at("created").to_number<long long>(), kCreated);
  EXPECT_EQ(out.at("model"), "my-alias");
  const auto& choice = first_choice(out);
  EXPECT_EQ(choice.at("index").to_number<int>(), 0);
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  const auto& message = choice.at("message").as_object();
  EXPECT_EQ(message.at("role"), "assistant");
  EXPECT_EQ(message.at("content"), "Hello, world!");
  EXPECT_FALSE(message.contains("tool_calls"));
  const auto& usage = out.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").to_number<long long>(), 12);
  EXPECT_EQ(usage.at("completion_tokens").to_number<long long>(), 6);
  EXPECT_EQ(usage.at("total_tokens").to_number<long long>(), 18);
}

TEST(AnthropicResponseTest, ToolUseBlocksBecomeToolCalls) {
  auto out = translate(R"({"id":"msg_tool","type":"message","role":"assistant","model":"c",
    "content":[{"type":"text","text":"Checking."},
      {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris","days":2}},
      {"type":"tool_use","id":"toolu_01B","name":"now","input":{}}],
    "stop_reason":"tool_use","usage":{"input_tokens":50,"output_tokens":40}})");
  const auto& choice = first_choice(out);
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  const auto& message = choice.at("message").as_object();
  EXPECT_EQ(message.at("content"), "Checking.");
  const auto& calls = message.at("tool_calls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].at("id"), "toolu_01A");
  EXPECT_EQ(calls[0].at("type"), "function");
  EXPECT_EQ(calls[0].at("function").at("name"), "get_weather");
  // arguments is JSON text, as OpenAI clients expect.
  const auto& arguments = calls[0].at("function").at("arguments");
  ASSERT_TRUE(arguments.is_string());
  EXPECT_EQ(json::parse(arguments.as_string()), json::parse(R"({"city":"Paris","days":2})"));
  EXPECT_EQ(calls[1].at("function").at("arguments"), "{}");
}

TEST(AnthropicResponseTest, PureToolTurnHasNullContent) {
  auto out = translate(R"({"id":"msg_x","type":"message","role":"assistant","content":[
    {"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}],"stop_reason":"tool_use",
    "usage":{"input_tokens":1,"output_tokens":1}})");
  EXPECT_TRUE(first_choice(out).at("message").at("content").is_null());
}

TEST(AnthropicResponseTest, ThinkingBlocksAreNotShownAsContent) {
  auto out = translate(R"({"id":"msg_t","type":"message","role":"assistant","content":[
    {"type":"thinking","thinking":"secret","signature":"sig"},{"type":"text","text":"42"}],
    "stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}})");
  EXPECT_EQ(first_choice(out).at("message").at("content"), "42");
}

TEST(AnthropicResponseTest, StopReasonsMapToFinishReasons) {
  const std::pair<const char*, const char*> cases[] = {
      {"end_turn", "stop"},       {"stop_sequence", "stop"},     {"max_tokens", "length"},
      {"tool_use", "tool_calls"}, {"refusal", "content_filter"}, {"pause_turn", "stop"},
  };
  for (const auto& [stop_reason, finish_reason] : cases) {
    auto out = translate(std::string(R"({"id":"msg_1","type":"message","content":[],)") +
                         R"("usage":{"input_tokens":1,"output_tokens":1},"stop_reason":")" +
                         stop_reason + "\"}");
    EXPECT_EQ(first_choice(out).at("finish_reason"), finish_reason) << stop_reason;
  }
}

TEST(AnthropicResponseTest, UsageCountsCachedInputAsPrompt) {
  auto out = translate(R"({"id":"msg_c","type":"message","role":"assistant",
    "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
    "usage":{"input_tokens":100,"cache_read_input_tokens":50,"cache_creation_input_tokens":20,
             "output_tokens":30}})");
  const auto& usage = out.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").to_number<long long>(), 170);
  EXPECT_EQ(usage.at("completion_tokens").to_number<long long>(), 30);
  EXPECT_EQ(usage.at("total_tokens").to_number<long long>(), 200);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").to_number<long long>(), 50);
  // Cache writes are reported too, so that they can be priced as writes.
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cache_write_tokens").to_number<long long>(), 20);
}

TEST(AnthropicResponseTest, NoCacheWritesNoCacheWriteField) {
  auto out = translate(R"({"id":"msg_c","type":"message","role":"assistant",
    "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
    "usage":{"input_tokens":100,"cache_read_input_tokens":0,"output_tokens":3}})");
  EXPECT_FALSE(
      out.at("usage").at("prompt_tokens_details").as_object().contains("cache_write_tokens"));
}

TEST(AnthropicResponseTest, OutOfRangeUsageIsClamped) {
  auto out = translate(R"({"id":"msg_c","type":"message","role":"assistant",
    "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
    "usage":{"input_tokens":1e300,"cache_read_input_tokens":-1,"output_tokens":2.5}})");
  const auto& usage = out.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").to_number<long long>(), kMaxTokenCount);
  EXPECT_EQ(usage.at("completion_tokens").to_number<long long>(), 2);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").to_number<long long>(), 0);
}

TEST(AnthropicResponseTest, MalformedBodyIsBadGateway) {
  for (std::string_view body : {"not json", "[1,2]", R"({"id":"msg_1","content":"text"})"}) {
    auto out = openai_response_from_anthropic(body, "m", kCreated);
    ASSERT_FALSE(out) << body;
    EXPECT_EQ(out.error().code, Errc::bad_gateway) << body;
  }
}

TEST(AnthropicResponseTest, ErrorBodyIsAnError) {
  auto out = openai_response_from_anthropic(
      R"({"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}})", "m",
      kCreated);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::rate_limited);
  EXPECT_EQ(out.error().message, "Slow down");
}

json::object error_body(std::string_view anthropic_body, int status) {
  return json::parse(openai_error_from_anthropic(anthropic_body, status)).at("error").as_object();
}

TEST(AnthropicErrorTest, KeepsMessageAndMapsType) {
  auto invalid = error_body(
      R"({"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}})",
      400);
  EXPECT_EQ(invalid.at("message"), "max_tokens: Field required");
  EXPECT_EQ(invalid.at("type"), "invalid_request_error");
  EXPECT_EQ(invalid.at("code"), "invalid_request_error");
  EXPECT_TRUE(invalid.at("param").is_null());

  auto auth = error_body(
      R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})",
      401);
  EXPECT_EQ(auth.at("type"), "authentication_error");

  auto overloaded = error_body(
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", 529);
  EXPECT_EQ(overloaded.at("message"), "Overloaded");
  EXPECT_EQ(overloaded.at("type"), "service_unavailable_error");
  EXPECT_EQ(
      error_from_anthropic(R"({"type":"error","error":{"type":"overloaded_error"}})", 529).code,
      Errc::unavailable);

  auto limited = error_from_anthropic(
      R"({"type":"error","error":{"type":"rate_limit_error","message":"Too many"}})", 429);
  EXPECT_EQ(limited.code, Errc::rate_limited);
  EXPECT_EQ(limited.code_detail, "rate_limit_error");
}

TEST(AnthropicErrorTest, NonJsonBodyFallsBackToStatus) {
  auto server = error_body("<html>502 Bad Gateway</html>", 500);
  EXPECT_EQ(server.at("type"), "server_error");
  EXPECT_NE(std::string_view(server.at("message").as_string()).find("500"), std::string_view::npos);
  EXPECT_EQ(error_from_anthropic("", 404).code, Errc::not_found);
  EXPECT_EQ(error_from_anthropic("{}", 429).code, Errc::rate_limited);
}

}  // namespace
}  // namespace sluice::gateway
