#include "gateway/ingress/messages_translate.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

json::object chat_from(std::string_view messages_request) {
  auto chat = chat_request_from_messages(parse_object(messages_request));
  EXPECT_TRUE(chat.ok()) << (chat.ok() ? "" : chat.error().message);
  return chat.ok() ? *chat : json::object();
}

Error error_from(std::string_view messages_request) {
  auto chat = chat_request_from_messages(parse_object(messages_request));
  EXPECT_FALSE(chat.ok());
  return chat.ok() ? Error{} : chat.error();
}

// --- Request ---

TEST(MessagesRequest, SystemAndTurnsBecomeChatMessages) {
  const json::object chat = chat_from(R"({"model":"claude-x","max_tokens":100,
      "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Use French."}],
      "messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Salut"},
                  {"role":"user","content":[{"type":"text","text":"Again"}]}]})");
  EXPECT_EQ(chat.at("model"), "claude-x");
  EXPECT_EQ(chat.at("max_tokens"), 100);
  EXPECT_EQ(json::serialize(chat.at("messages")),
            R"([{"role":"system","content":"Be brief.\n\nUse French."},)"
            R"({"role":"user","content":"Hi"},{"role":"assistant","content":"Salut"},)"
            R"({"role":"user","content":[{"type":"text","text":"Again"}]}])");
  EXPECT_FALSE(chat.contains("stream"));
}

TEST(MessagesRequest, ImagesAndDocumentsBecomeParts) {
  const json::object chat = chat_from(R"({"model":"m","max_tokens":5,"messages":[{"role":"user",
      "content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}},
                 {"type":"image","source":{"type":"url","url":"https://x.test/a.png"}},
                 {"type":"document","source":{"type":"base64","media_type":"application/pdf",
                  "data":"JVBE"},"title":"r.pdf"},
                 {"type":"document","source":{"type":"text","media_type":"text/plain",
                  "data":"plain"}}]}]})");
  const json::array& parts = chat.at("messages").as_array()[0].at("content").as_array();
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].at("image_url").at("url"), "data:image/png;base64,iVBO");
  EXPECT_EQ(parts[1].at("image_url").at("url"), "https://x.test/a.png");
  EXPECT_EQ(parts[2].at("file").at("file_data"), "data:application/pdf;base64,JVBE");
  EXPECT_EQ(parts[2].at("file").at("filename"), "r.pdf");
  EXPECT_EQ(json::serialize(parts[3]), R"({"type":"text","text":"plain"})");
}

// Whether `v` and everything in it lives in `resource`.
bool all_in(const json::value& v, const json::memory_resource* resource) {
  if (v.storage().get() != resource) return false;
  if (const json::array* a = v.if_array())
    for (const json::value& e : *a)
      if (!all_in(e, resource)) return false;
  if (const json::object* o = v.if_object())
    for (const auto& member : *o)
      if (!all_in(member.value(), resource)) return false;
  return true;
}

TEST(MessagesRequest, TranslatedIntoTheGivenStorage) {
  const json::object request = parse_object(R"({"model":"m","max_tokens":5,"system":"s",
      "tools":[{"name":"t","input_schema":{"type":"object"}}],
      "messages":[{"role":"user","content":[{"type":"text","text":"hi"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}},
        {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JV"}}]},
        {"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"t","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":[
          {"type":"text","text":"ok"},
          {"type":"image","source":{"type":"url","url":"https://x.test/a.png"}}]}]}]})");
  json::monotonic_resource arena;
  auto chat = chat_request_from_messages(request, json::storage_ptr(&arena));
  ASSERT_TRUE(chat.ok()) << chat.error().message;
  EXPECT_TRUE(all_in(json::value(std::move(*chat)), &arena))
      << "every node in the arena: a request of many blocks is freed at once";
  const json::object plain = chat_from(json::serialize(request));
  const json::array& parts = plain.at("messages").as_array()[1].at("content").as_array();
  EXPECT_EQ(parts[1].at("image_url").at("url"), "data:image/png;base64,iVBO");
}

TEST(MessagesRequest, ToolRoundTripBecomesToolCallsAndToolMessages) {
  const json::object chat = chat_from(R"({"model":"m","max_tokens":50,
      "tools":[{"name":"weather","description":"Weather now","input_schema":{"type":"object",
                "properties":{"city":{"type":"string"}}}}],
      "tool_choice":{"type":"any","disable_parallel_tool_use":true},
      "messages":[{"role":"user","content":"Weather in Paris?"},
        {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},
          {"type":"text","text":"Checking."},
          {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
          "content":[{"type":"text","text":"18C"}]},{"type":"text","text":"And tomorrow?"}]}]})");
  const json::array& messages = chat.at("messages").as_array();
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(
      json::serialize(messages[1]),
      R"({"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1",)"
      R"("type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]})");
  EXPECT_EQ(json::serialize(messages[2]),
            R"({"role":"tool","tool_call_id":"toolu_1","content":"18C"})");
  EXPECT_EQ(json::serialize(messages[3]),
            R"({"role":"user","content":[{"type":"text","text":"And tomorrow?"}]})");
  EXPECT_EQ(json::serialize(chat.at("tools")),
            R"([{"type":"function","function":{"name":"weather","parameters":{"type":"object",)"
            R"("properties":{"city":{"type":"string"}}},"description":"Weather now"}}])");
  EXPECT_EQ(chat.at("tool_choice"), "required");
  EXPECT_EQ(chat.at("parallel_tool_calls"), false);
}

TEST(MessagesRequest, ToolChoiceShapes) {
  EXPECT_EQ(chat_from(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],
                          "tool_choice":{"type":"auto"}})")
                .at("tool_choice"),
            "auto");
  EXPECT_EQ(chat_from(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],
                          "tool_choice":{"type":"none"}})")
                .at("tool_choice"),
            "none");
  EXPECT_EQ(json::serialize(chat_from(R"({"model":"m","max_tokens":1,"messages":[
                  {"role":"user","content":"x"}],"tool_choice":{"type":"tool","name":"f"}})")
                                .at("tool_choice")),
            R"({"type":"function","function":{"name":"f"}})");
}

TEST(MessagesRequest, AnErrorToolResultSaysSoAndItsImagesFollowAsAUserTurn) {
  const json::object chat = chat_from(R"({"model":"m","max_tokens":5,"messages":[
      {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"shot","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":true,
        "content":[{"type":"text","text":"partial"},{"type":"image","source":{"type":"base64",
        "media_type":"image/png","data":"AA"}}]}]}]})");
  const json::array& messages = chat.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].at("content"), "Error: partial");
  EXPECT_EQ(messages[2].at("role"), "user");
  EXPECT_EQ(messages[2].at("content").as_array()[0].at("type"), "image_url");
}

TEST(MessagesRequest, SamplingStopUserAndStream) {
  const json::object chat = chat_from(R"({"model":"m","max_tokens":9,"temperature":0.2,
      "top_p":0.9,"top_k":5,"stop_sequences":["END"],"metadata":{"user_id":"u-1"},
      "stream":true,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(chat.at("temperature"), 0.2);
  EXPECT_EQ(chat.at("top_p"), 0.9);
  EXPECT_FALSE(chat.contains("top_k"));  // chat has none
  EXPECT_EQ(json::serialize(chat.at("stop")), R"(["END"])");
  EXPECT_EQ(chat.at("user"), "u-1");
  EXPECT_EQ(chat.at("stream"), true);
  EXPECT_EQ(json::serialize(chat.at("stream_options")), R"({"include_usage":true})");
}

TEST(MessagesRequest, ErrorsNameTheFieldAsAnthropicDoes) {
  EXPECT_EQ(error_from(R"({"max_tokens":1,"messages":[]})").param, "model");
  EXPECT_EQ(error_from(R"({"model":"m","messages":[{"role":"user","content":"x"}]})").param,
            "max_tokens");
  EXPECT_EQ(error_from(R"({"model":"m","max_tokens":0,"messages":[]})").param, "max_tokens");
  EXPECT_EQ(error_from(R"({"model":"m","max_tokens":1,"messages":[]})").param, "messages");
  const Error role =
      error_from(R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]})");
  EXPECT_EQ(role.param, "messages.0.role");
  EXPECT_EQ(role.code, Errc::invalid_request);
  EXPECT_NE(role.message.find("messages.0.role: "), std::string::npos) << role.message;
  EXPECT_EQ(error_from(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
                {"type":"text","text":"a"},{"type":"server_tool_use"}]}]})")
                .param,
            "messages.0.content.1.type");
  EXPECT_EQ(error_from(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],
                "tools":[{"type":"web_search_20250305","name":"web_search"}]})")
                .param,
            "tools.0.type");
  EXPECT_EQ(error_from(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],
                "tool_choice":{"type":"tool"}})")
                .param,
            "tool_choice.name");
}

TEST(MessagesRequest, TokenEstimateCountsMessagesAndTools) {
  const json::object small = chat_from(R"({"model":"m","max_tokens":1,"messages":[
      {"role":"user","content":"Hello there"}]})");
  const json::object tooled = chat_from(R"({"model":"m","max_tokens":1,"messages":[
      {"role":"user","content":"Hello there"}],"tools":[{"name":"f","input_schema":{
      "type":"object","properties":{"a_rather_long_parameter_name":{"type":"string"}}}}]})");
  EXPECT_GT(estimate_message_tokens(small), 3);
  EXPECT_GT(estimate_message_tokens(tooled), estimate_message_tokens(small) + 10);
}

// --- Response ---

TEST(MessagesResponse, TextAndToolCallsBecomeBlocks) {
  auto message = message_from_chat(
      R"({"id":"chatcmpl-1","object":"chat.completion","model":"gpt-x","choices":[{"index":0,
          "message":{"role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_9",
          "type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]},
          "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":7,
          "prompt_tokens_details":{"cached_tokens":10}}})",
      "msg_1", "alias");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(*message,
            R"({"id":"msg_1","type":"message","role":"assistant","model":"gpt-x","content":[)"
            R"({"type":"text","text":"Let me look."},{"type":"tool_use","id":"call_9",)"
            R"("name":"weather","input":{"city":"Oslo"}}],"stop_reason":"tool_use",)"
            R"("stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":0,)"
            R"("cache_read_input_tokens":10,"output_tokens":7}})");
}

TEST(MessagesResponse, StopReasonsAndFallbackUsage) {
  EXPECT_EQ(stop_reason_of("stop"), "end_turn");
  EXPECT_EQ(stop_reason_of("length"), "max_tokens");
  EXPECT_EQ(stop_reason_of("tool_calls"), "tool_use");
  EXPECT_EQ(stop_reason_of("content_filter"), "refusal");
  Usage counted;
  counted.prompt_tokens = 12;
  counted.completion_tokens = 3;
  auto message =
      message_from_chat(R"({"choices":[{"message":{"content":"ok"},"finish_reason":"length"}]})",
                        "msg_2", "m", &counted);
  ASSERT_TRUE(message.ok());
  const json::object m = parse_object(*message);
  EXPECT_EQ(m.at("model"), "m");
  EXPECT_EQ(m.at("stop_reason"), "max_tokens");
  EXPECT_EQ(m.at("usage").at("input_tokens"), 12);
  EXPECT_EQ(m.at("usage").at("output_tokens"), 3);
}

TEST(MessagesResponse, NotACompletionIsBadGateway) {
  EXPECT_EQ(message_from_chat("{}", "msg", "m").error().code, Errc::bad_gateway);
  EXPECT_EQ(message_from_chat("nope", "msg", "m").error().code, Errc::bad_gateway);
}

TEST(MessagesErrors, AnthropicShapeAndStatus) {
  const AnthropicError limited =
      anthropic_error(make_error(Errc::rate_limited, "slow down"), "req_1");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body,
            R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"},)"
            R"("request_id":"req_1"})");
  EXPECT_EQ(anthropic_error(make_error(Errc::unavailable, "busy")).status, 529);
  const AnthropicError relayed = anthropic_error_from_openai(
      401, R"({"error":{"message":"bad key","type":"authentication_error"}})");
  EXPECT_EQ(relayed.status, 401);
  EXPECT_EQ(parse_object(relayed.body).at("error").at("type"), "authentication_error");
  EXPECT_EQ(parse_object(relayed.body).at("error").at("message"), "bad key");
  const AnthropicError shed = anthropic_error_from_openai(503, "not json");
  EXPECT_EQ(shed.status, 529);
  EXPECT_EQ(parse_object(shed.body).at("error").at("type"), "overloaded_error");
  EXPECT_EQ(anthropic_error_from_openai(413, "{}").status, 413);
  EXPECT_EQ(parse_object(anthropic_error_from_openai(413, "{}").body).at("error").at("type"),
            "request_too_large");
}

// --- Stream ---

std::string types_of(const std::vector<MessagesEvent>& events) {
  std::string out;
  for (const auto& e : events) out += e.type + " ";
  return out;
}

TEST(MessagesStream, TextAnswerFollowsAnthropicsEventSequence) {
  MessagesStreamTranslator t("msg_s", "alias", 42);
  std::vector<MessagesEvent> events;
  t.feed(R"({"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})",
         events);
  t.feed(R"({"choices":[{"index":0,"delta":{"content":"Hel"}}]})", events);
  t.feed(R"({"choices":[{"index":0,"delta":{"content":"lo"}}]})", events);
  t.feed(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})", events);
  t.feed(R"({"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":2}})", events);
  t.finish(Usage{}, events);
  EXPECT_EQ(types_of(events),
            "message_start ping content_block_start content_block_delta content_block_delta "
            "content_block_stop message_delta message_stop ");
  const json::object start = parse_object(events[0].data);
  EXPECT_EQ(start.at("message").at("id"), "msg_s");
  EXPECT_EQ(start.at("message").at("model"), "gpt-x");
  EXPECT_EQ(start.at("message").at("usage").at("input_tokens"), 42);
  EXPECT_EQ(events[1].data, R"({"type":"ping"})");
  EXPECT_EQ(
      events[3].data,
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})");
  const json::object delta = parse_object(events[6].data);
  EXPECT_EQ(delta.at("delta").at("stop_reason"), "end_turn");
  EXPECT_EQ(delta.at("usage").at("input_tokens"), 11);
  EXPECT_EQ(delta.at("usage").at("output_tokens"), 2);
  EXPECT_EQ(events[7].data, R"({"type":"message_stop"})");
}

TEST(MessagesStream, ToolCallsAreToolUseBlocksWithJsonDeltas) {
  MessagesStreamTranslator t("msg_t", "m", 0);
  std::vector<MessagesEvent> events;
  t.feed(R"({"choices":[{"delta":{"content":"Looking."}}]})", events);
  t.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function",
             "function":{"name":"weather","arguments":""}}]}}]})",
         events);
  t.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}}]})",
         events);
  t.feed(
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":1}"}}]}}]})",
      events);
  t.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":1,"id":"call_2","function":{
             "name":"time","arguments":"{}"}}]}}]})",
         events);
  t.feed(R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})", events);
  Usage counted;
  counted.prompt_tokens = 5;
  counted.completion_tokens = 4;
  t.finish(counted, events);
  EXPECT_EQ(types_of(events),
            "message_start ping content_block_start content_block_delta content_block_stop "
            "content_block_start content_block_delta content_block_delta content_block_stop "
            "content_block_start content_block_delta content_block_stop message_delta "
            "message_stop ");
  EXPECT_EQ(events[5].data,
            R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use",)"
            R"("id":"call_1","name":"weather","input":{}}})");
  EXPECT_EQ(events[6].data,
            R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",)"
            R"("partial_json":"{\"ci"}})");
  EXPECT_EQ(parse_object(events[9].data).at("index"), 2);
  const json::object delta = parse_object(events[12].data);
  EXPECT_EQ(delta.at("delta").at("stop_reason"), "tool_use");
  EXPECT_EQ(delta.at("usage").at("output_tokens"), 4);  // the gateway's count stands in
}

TEST(MessagesStream, FailureMidStreamIsAnErrorEvent) {
  MessagesStreamTranslator t("msg_f", "m", 0);
  std::vector<MessagesEvent> events;
  t.feed(R"({"choices":[{"delta":{"content":"par"}}]})", events);
  t.fail(make_error(Errc::bad_gateway, "upstream reset"), events);
  t.finish(Usage{}, events);  // nothing after the error
  ASSERT_EQ(events.back().type, "error");
  EXPECT_EQ(events.back().data,
            R"({"type":"error","error":{"type":"api_error","message":"upstream reset"}})");
}

TEST(MessagesStream, AnEmptyStreamStillStartsAndStops) {
  MessagesStreamTranslator t("msg_e", "m", 3);
  std::vector<MessagesEvent> events;
  t.finish(Usage{}, events);
  EXPECT_EQ(types_of(events), "message_start ping message_delta message_stop ");
}

}  // namespace
}  // namespace sluice::gateway
