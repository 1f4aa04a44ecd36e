#include "mock/mock_anthropic.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

json::object messages_request(std::string_view user_text = "What is the capital of France?") {
  return parse_object(R"({"model":"claude-test","max_tokens":64,"system":"Be brief.",)"
                      R"("messages":[{"role":"user","content":)" +
                      json::serialize(json::value(user_text)) + "}]}");
}

json::object tool_request(json::value tool_choice) {
  json::object request = messages_request("Weather?");
  request["tools"] = json::parse(R"([{"name":"get_weather","input_schema":{"type":"object"}},
                                     {"name":"get_time","input_schema":{"type":"object"}}])");
  request["tool_choice"] = std::move(tool_choice);
  return request;
}

std::string_view str(const json::value& v) { return v.as_string(); }

TEST(MockAnthropicTest, ReplyHasTheWordsAndTokensOfTheOpenAiMock) {
  const auto reply = mock_anthropic_reply(messages_request());
  const auto openai = mock_chat_reply(
      parse_object(R"({"model":"m","messages":[{"role":"system","content":"Be brief."},)"
                   R"({"role":"user","content":"What is the capital of France?"}]})"));
  EXPECT_EQ(reply.content, openai.content);
  EXPECT_TRUE(reply.content.starts_with("Mock reply to: What is the capital of France?"));
  EXPECT_EQ(reply.prompt_tokens, openai.prompt_tokens) << "the system prompt counts as a message";
  EXPECT_EQ(reply.completion_tokens, openai.completion_tokens);
  EXPECT_GE(mock_anthropic_reply(messages_request(), 500).completion_tokens, 500);
}

TEST(MockAnthropicTest, QuotesTheLastUserTurnThatHasText) {
  // A tool result travels in a user turn, but the question is what the person asked.
  const auto request = parse_object(R"({"model":"m","max_tokens":9,"messages":[
    {"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
    {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"w","input":{}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"21C"}]}]})");
  const auto reply = mock_anthropic_reply(request);
  EXPECT_TRUE(reply.content.starts_with("Mock reply to: Weather in Paris?.")) << reply.content;
  EXPECT_TRUE(reply.tool_calls.empty());
  // "Weather in Paris?" is 17 bytes: ceil(17 / 4) + 4 per message.
  EXPECT_EQ(reply.prompt_tokens, 5 + 3 * 4);
}

TEST(MockAnthropicTest, ToolUseOnlyWhenToolChoiceForcesIt) {
  EXPECT_TRUE(
      mock_anthropic_reply(tool_request(json::object{{"type", "auto"}})).tool_calls.empty());
  EXPECT_TRUE(
      mock_anthropic_reply(tool_request(json::object{{"type", "none"}})).tool_calls.empty());

  const auto any = mock_anthropic_reply(tool_request(json::object{{"type", "any"}}));
  ASSERT_EQ(any.tool_calls.size(), 1u);
  EXPECT_EQ(any.tool_calls[0].name, "get_weather");
  EXPECT_TRUE(any.tool_calls[0].id.starts_with("toolu_")) << any.tool_calls[0].id;
  EXPECT_EQ(any.tool_calls[0].arguments, "{}");
  EXPECT_EQ(any.finish_reason, "tool_calls");
  EXPECT_EQ(any.tool_calls[0].id,
            mock_anthropic_reply(tool_request(json::object{{"type", "any"}})).tool_calls[0].id);

  const auto named =
      mock_anthropic_reply(tool_request(json::object{{"type", "tool"}, {"name", "get_time"}}));
  ASSERT_EQ(named.tool_calls.size(), 1u);
  EXPECT_EQ(named.tool_calls[0].name, "get_time");
  EXPECT_NE(named.tool_calls[0].id, any.tool_calls[0].id);
}

TEST(MockAnthropicTest, MessageJsonInAnthropicShape) {
  const auto reply = mock_anthropic_reply(messages_request());
  const auto body = parse_object(anthropic_message_json(reply, "claude-test", "msg_01abc"));
  EXPECT_EQ(str(body.at("id")), "msg_01abc");
  EXPECT_EQ(str(body.at("type")), "message");
  EXPECT_EQ(str(body.at("role")), "assistant");
  EXPECT_EQ(str(body.at("model")), "claude-test");
  const auto& content = body.at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(str(content[0].at("type")), "text");
  EXPECT_EQ(str(content[0].at("text")), reply.content);
  EXPECT_EQ(str(body.at("stop_reason")), "end_turn");
  EXPECT_TRUE(body.at("stop_sequence").is_null());
  EXPECT_EQ(
      json::serialize(body.at("usage")),
      R"({"input_tokens":)" + std::to_string(reply.prompt_tokens) + R"(,"output_tokens":)" +
          std::to_string(reply.completion_tokens) +
          R"(,"cache_read_input_tokens":0,"cache_creation_input_tokens":0,)"
          R"("cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}})");
}

TEST(MockAnthropicTest, MessageJsonWithToolUse) {
  const auto reply = mock_anthropic_reply(tool_request(json::object{{"type", "any"}}));
  const auto body = parse_object(anthropic_message_json(reply, "claude-test", "msg_1"));
  const auto& content = body.at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(json::serialize(content[0]), R"({"type":"tool_use","id":")" + reply.tool_calls[0].id +
                                             R"(","name":"get_weather","input":{}})");
  EXPECT_EQ(str(body.at("stop_reason")), "tool_use");
}

std::vector<std::string> names_of(const std::vector<AnthropicEvent>& events) {
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.name);
  return names;
}

TEST(MockAnthropicTest, StreamEventsInAnthropicOrder) {
  const auto reply = mock_anthropic_reply(messages_request());
  const auto events = anthropic_stream_events(reply, "claude-test", "msg_1", 3);
  const std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_delta", "content_block_delta",
      "content_block_stop",  "message_delta",       "message_stop"};
  EXPECT_EQ(names_of(events), expected);
  for (const auto& e : events) EXPECT_EQ(str(parse_object(e.data).at("type")), e.name) << e.data;

  const auto start = parse_object(events[0].data).at("message").as_object();
  EXPECT_EQ(str(start.at("id")), "msg_1");
  EXPECT_EQ(str(start.at("model")), "claude-test");
  EXPECT_TRUE(start.at("content").as_array().empty());
  EXPECT_TRUE(start.at("stop_reason").is_null());
  EXPECT_EQ(start.at("usage").at("input_tokens").as_int64(), reply.prompt_tokens);
  EXPECT_EQ(
      events[1].data,
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
  EXPECT_EQ(events[2].data, R"({"type":"ping"})");
  std::string text;
  for (std::size_t i = 3; i < 6; ++i) {
    const auto delta = parse_object(events[i].data);
    EXPECT_EQ(delta.at("index").as_int64(), 0);
    EXPECT_EQ(str(delta.at("delta").at("type")), "text_delta");
    text += str(delta.at("delta").at("text"));
  }
  EXPECT_EQ(text, reply.content);
  EXPECT_EQ(events[6].data, R"({"type":"content_block_stop","index":0})");
  EXPECT_EQ(events[7].data,
            R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
            R"("usage":{"output_tokens":)" +
                std::to_string(reply.completion_tokens) + "}}");
  EXPECT_EQ(events[8].data, R"({"type":"message_stop"})");
}

TEST(MockAnthropicTest, StreamedToolUseSendsItsInputAsJsonDelta) {
  const auto reply = mock_anthropic_reply(tool_request(json::object{{"type", "any"}}));
  const auto events = anthropic_stream_events(reply, "claude-test", "msg_1", 8);
  const std::vector<std::string> expected{
      "message_start",      "content_block_start", "ping",        "content_block_delta",
      "content_block_stop", "message_delta",       "message_stop"};
  EXPECT_EQ(names_of(events), expected);
  EXPECT_EQ(events[1].data, R"({"type":"content_block_start","index":0,"content_block":)"
                            R"({"type":"tool_use","id":")" +
                                reply.tool_calls[0].id + R"(","name":"get_weather","input":{}}})");
  EXPECT_EQ(events[3].data, R"({"type":"content_block_delta","index":0,)"
                            R"("delta":{"type":"input_json_delta","partial_json":"{}"}})");
  EXPECT_EQ(str(parse_object(events[5].data).at("delta").at("stop_reason")), "tool_use");
}

// The gateway's own translator is the mock's first client: what one writes, the other reads.
TEST(MockAnthropicTest, StreamTranslatesToOpenAiChunks) {
  const auto reply = mock_anthropic_reply(messages_request());
  AnthropicStreamTranslator translator("claude-test", /*include_usage=*/true, 1700000000);
  std::vector<std::string> chunks;
  for (const auto& e : anthropic_stream_events(reply, "claude-test", "msg_1", 4)) {
    auto out = translator.on_event(e.name, e.data);
    ASSERT_TRUE(out) << out.error().message;
    chunks.insert(chunks.end(), out->begin(), out->end());
  }
  EXPECT_TRUE(translator.done());
  EXPECT_EQ(translator.prompt_tokens(), reply.prompt_tokens);
  EXPECT_EQ(translator.completion_tokens(), reply.completion_tokens);
  std::string text;
  for (const auto& c : chunks) {
    const auto chunk = parse_object(c);
    const auto& choices = chunk.at("choices").as_array();
    if (!choices.empty())
      if (const auto* content = choices[0].at("delta").as_object().if_contains("content"))
        text += str(*content);
  }
  EXPECT_EQ(text, reply.content);
  EXPECT_EQ(str(parse_object(chunks.at(chunks.size() - 2)).at("choices").at(0).at("finish_reason")),
            "stop");
}

TEST(MockAnthropicTest, SseFrameHasEventAndDataLines) {
  EXPECT_EQ(sse_frame({"ping", R"({"type":"ping"})"}),
            "event: ping\ndata: {\"type\":\"ping\"}\n\n");
}

TEST(MockAnthropicTest, ErrorTypesAndBody) {
  EXPECT_EQ(anthropic_error_type(400), "invalid_request_error");
  EXPECT_EQ(anthropic_error_type(422), "invalid_request_error");
  EXPECT_EQ(anthropic_error_type(401), "authentication_error");
  EXPECT_EQ(anthropic_error_type(403), "permission_error");
  EXPECT_EQ(anthropic_error_type(404), "not_found_error");
  EXPECT_EQ(anthropic_error_type(413), "request_too_large");
  EXPECT_EQ(anthropic_error_type(429), "rate_limit_error");
  EXPECT_EQ(anthropic_error_type(500), "api_error");
  EXPECT_EQ(anthropic_error_type(503), "api_error");
  EXPECT_EQ(anthropic_error_type(529), "overloaded_error");
  EXPECT_EQ(anthropic_error_json("overloaded_error", "Overloaded"),
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  // And the gateway reads it back as a 503.
  EXPECT_EQ(error_from_anthropic(anthropic_error_json("overloaded_error", "Overloaded"), 529).code,
            Errc::unavailable);
}

TEST(MockAnthropicTest, HeadersAreRequired) {
  EXPECT_TRUE(validate_anthropic_headers("k", "2023-06-01"));
  const Status no_key = validate_anthropic_headers("", "2023-06-01");
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().code, Errc::unauthorized);
  EXPECT_EQ(no_key.error().message, "x-api-key header is required");
  const Status no_version = validate_anthropic_headers("k", "");
  ASSERT_FALSE(no_version);
  EXPECT_EQ(no_version.error().code, Errc::invalid_request);
  EXPECT_EQ(no_version.error().message, "anthropic-version: header is required");
}

TEST(MockAnthropicTest, ApiKeyFromEitherHeaderTheSdksSend) {
  EXPECT_EQ(anthropic_api_key("k1", "Bearer k2"), "k1");
  EXPECT_EQ(anthropic_api_key("", "Bearer k2"), "k2");
  EXPECT_EQ(anthropic_api_key("", "bearer  k3"), "k3");
  EXPECT_EQ(anthropic_api_key("", "Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(anthropic_api_key("", "Bearer "), "");
  EXPECT_EQ(anthropic_api_key("", ""), "");
}

TEST(MockAnthropicTest, RequestValidationLikeAnthropic) {
  EXPECT_TRUE(validate_anthropic_request(messages_request()));
  EXPECT_TRUE(validate_anthropic_request(parse_object(R"({"model":"m","max_tokens":5,"messages":[
      {"role":"user","content":"q"},{"role":"assistant","content":""}]})")))
      << "an empty final assistant turn is a prefill";
  struct Case {
    std::string_view request;
    std::string_view message;
  };
  const Case cases[] = {
      {R"({"max_tokens":5,"messages":[{"role":"user","content":"q"}]})", "model: Field required"},
      {R"({"model":"m","messages":[{"role":"user","content":"q"}]})", "max_tokens: Field required"},
      {R"({"model":"m","max_tokens":"5","messages":[{"role":"user","content":"q"}]})",
       "max_tokens: Input should be a valid integer"},
      {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"q"}]})",
       "max_tokens: Input should be greater than or equal to 1"},
      {R"({"model":"m","max_tokens":5})", "messages: Field required"},
      {R"({"model":"m","max_tokens":5,"messages":{}})", "messages: Input should be a valid list"},
      {R"({"model":"m","max_tokens":5,"messages":[]})",
       "messages: at least one message is required"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":"hi"},
          {"role":"user","content":"q"}]})",
       "messages: first message must use the \"user\" role"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},
          {"role":"user","content":"b"}]})",
       "messages: roles must alternate between \"user\" and \"assistant\", but found multiple "
       "\"user\" roles in a row"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},
          {"role":"assistant","content":"b"},{"role":"assistant","content":"c"}]})",
       "messages: roles must alternate between \"user\" and \"assistant\", but found multiple "
       "\"assistant\" roles in a row"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"s"}]})",
       "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` "
       "parameter, not \"system\" as an input message role."},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"robot","content":"s"}]})",
       "messages.0.role: Input should be 'user' or 'assistant'"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})",
       "messages.0.content: Field required"},
      {R"({"model":"m","max_tokens":5,"messages":["hi"]})",
       "messages.0: Input should be a valid dictionary"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":""}]})",
       "messages.0: all messages must have non-empty content except for the optional final "
       "assistant message"},
      {R"({"model":"m","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"q"}]})",
       "stream: Input should be a valid boolean"},
  };
  for (const Case& c : cases) {
    const Status status = validate_anthropic_request(parse_object(c.request));
    ASSERT_FALSE(status) << c.request;
    EXPECT_EQ(status.error().code, Errc::invalid_request) << c.request;
    EXPECT_EQ(status.error().message, c.message) << c.request;
  }
}

json::object thinking_request() {
  json::object request = messages_request("Why is the sky blue?");
  request["thinking"] = json::parse(R"({"type":"enabled","budget_tokens":1024})");
  return request;
}

TEST(MockAnthropicTest, ThinkingOnlyWhenEnabledAndSigned) {
  EXPECT_TRUE(mock_anthropic_thinking(messages_request()).thinking.empty());
  json::object disabled = messages_request();
  disabled["thinking"] = json::parse(R"({"type":"disabled"})");
  EXPECT_TRUE(mock_anthropic_thinking(disabled).thinking.empty());
  const AnthropicExtras extras = mock_anthropic_thinking(thinking_request());
  EXPECT_EQ(extras.thinking, "Mock thinking about: Why is the sky blue?.");
  EXPECT_EQ(extras.signature, mock_thinking_signature(extras.thinking));
  EXPECT_NE(mock_thinking_signature("Mock thinking about: Why is the sky blue!"), extras.signature);
}

TEST(MockAnthropicTest, ThinkingBlockFirstWithItsOutputTokens) {
  const auto reply = mock_anthropic_reply(thinking_request());
  const AnthropicExtras extras = mock_anthropic_thinking(thinking_request());
  const auto body = parse_object(anthropic_message_json(reply, "claude-test", "msg_1", extras));
  const auto& content = body.at("content").as_array();
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(json::serialize(content[0]), R"({"type":"thinking","thinking":")" + extras.thinking +
                                             R"(","signature":")" + extras.signature + R"("})");
  EXPECT_EQ(str(content[1].at("type")), "text");
  EXPECT_GT(body.at("usage").at("output_tokens").as_int64(), reply.completion_tokens);

  const auto events = anthropic_stream_events(reply, "claude-test", "msg_1", 2, extras);
  const std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_delta", "content_block_delta",
      "content_block_stop",  "content_block_start", "content_block_delta",
      "content_block_delta", "content_block_stop",  "message_delta",
      "message_stop"};
  EXPECT_EQ(names_of(events), expected);
  EXPECT_EQ(events[5].data, R"({"type":"content_block_delta","index":0,"delta":)"
                            R"({"type":"signature_delta","signature":")" +
                                extras.signature + R"("}})");
  EXPECT_EQ(parse_object(events[7].data).at("index").as_int64(), 1);
}

TEST(MockAnthropicTest, ThinkingSentBackMustKeepItsSignature) {
  const AnthropicExtras extras = mock_anthropic_thinking(thinking_request());
  auto follow_up = [&](std::string_view thinking, std::string_view signature) {
    json::object request = thinking_request();
    json::array& messages = request.at("messages").as_array();
    messages.push_back(json::object{
        {"role", "assistant"},
        {"content",
         json::array{
             json::object{{"type", "thinking"}, {"thinking", thinking}, {"signature", signature}},
             json::object{{"type", "text"}, {"text", "Rayleigh."}}}}});
    messages.push_back(json::object{{"role", "user"}, {"content", "And sunsets?"}});
    return validate_anthropic_request(request);
  };
  EXPECT_TRUE(follow_up(extras.thinking, extras.signature));
  const Status altered = follow_up(extras.thinking, extras.signature + "x");
  ASSERT_FALSE(altered);
  EXPECT_EQ(altered.error().message,
            "messages.1.content.0: Invalid `signature` in `thinking` block");
  EXPECT_FALSE(follow_up(extras.thinking + " ", extras.signature)) << "the text is signed too";
}

TEST(MockAnthropicTest, CacheControlMarksAPrefixWrittenThenRead) {
  json::object request = messages_request();
  EXPECT_FALSE(mock_cache_prefix(request, 100)) << "nothing marked";
  request["system"] = json::parse(
      R"([{"type":"text","text":"A long policy.","cache_control":{"type":"ephemeral"}}])");
  const auto prefix = mock_cache_prefix(request, 100);
  ASSERT_TRUE(prefix);
  EXPECT_GT(prefix->tokens, 0);
  EXPECT_LE(prefix->tokens, 100);
  EXPECT_EQ(mock_cache_prefix(request, 100)->key, prefix->key);
  json::object other = request;
  other["system"].as_array()[0].as_object()["text"] = "Another policy.";
  EXPECT_NE(mock_cache_prefix(other, 100)->key, prefix->key);

  MockPromptCache cache;
  EXPECT_FALSE(cache.remember(prefix->key)) << "first seen: written";
  EXPECT_TRUE(cache.remember(prefix->key)) << "then read";

  const auto reply = mock_anthropic_reply(request);
  const auto read = with_prompt_cache(reply, MockCachePrefix{prefix->key, 3}, true);
  const auto usage =
      parse_object(anthropic_message_json(read, "m", "msg_1")).at("usage").as_object();
  EXPECT_EQ(usage.at("cache_read_input_tokens").as_int64(), 3);
  EXPECT_EQ(usage.at("cache_creation_input_tokens").as_int64(), 0);
  EXPECT_EQ(usage.at("input_tokens").as_int64(), reply.prompt_tokens - 3)
      << "input_tokens is the uncached rest";
  const auto written = with_prompt_cache(reply, MockCachePrefix{prefix->key, 3}, false);
  EXPECT_EQ(written.cache_write_tokens, 3);
  EXPECT_EQ(written.cached_tokens, 0);
  EXPECT_EQ(written.prompt_tokens, reply.prompt_tokens - 3);
  EXPECT_EQ(written.cache_write_1h_tokens, 0) << "ephemeral's default time: 5 minutes";
}

TEST(MockAnthropicTest, AOneHourBreakpointWritesItsPrefixForAnHour) {
  json::object request = messages_request();
  // A 1-hour breakpoint on the system prompt, a 5-minute one on the first message's block.
  request["system"] = json::parse(
      R"([{"type":"text","text":"A long policy that stays.","cache_control":{"type":"ephemeral","ttl":"1h"}}])");
  request["messages"] = json::parse(
      R"([{"role":"user","content":[{"type":"text","text":"And a question that changes.",)"
      R"("cache_control":{"type":"ephemeral","ttl":"5m"}}]}])");
  const auto prefix = mock_cache_prefix(request, 1000);
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->tokens_1h, mock_tokens(25)) << "the system prompt's 25 bytes";
  EXPECT_EQ(prefix->tokens, mock_tokens(25 + 28)) << "the whole prefix, up to the last breakpoint";

  const auto reply = mock_anthropic_reply(request);
  const auto written = with_prompt_cache(reply, *prefix, false);
  EXPECT_EQ(written.cache_write_tokens, prefix->tokens);
  EXPECT_EQ(written.cache_write_1h_tokens, prefix->tokens_1h);
  const auto usage =
      parse_object(anthropic_message_json(written, "m", "msg_1")).at("usage").as_object();
  EXPECT_EQ(usage.at("cache_creation_input_tokens").as_int64(), prefix->tokens);
  const auto& split = usage.at("cache_creation").as_object();
  EXPECT_EQ(split.at("ephemeral_1h_input_tokens").as_int64(), prefix->tokens_1h);
  EXPECT_EQ(split.at("ephemeral_5m_input_tokens").as_int64(), prefix->tokens - prefix->tokens_1h);
  const auto read = with_prompt_cache(reply, *prefix, true);
  EXPECT_EQ(read.cached_tokens, prefix->tokens);
  EXPECT_EQ(read.cache_write_1h_tokens, 0) << "a read writes nothing";

  // Only 5-minute breakpoints: nothing for an hour.
  request["system"].as_array()[0].as_object()["cache_control"] =
      json::parse(R"({"type":"ephemeral"})");
  EXPECT_EQ(mock_cache_prefix(request, 1000)->tokens_1h, 0);
}

}  // namespace
}  // namespace sluice::gateway
