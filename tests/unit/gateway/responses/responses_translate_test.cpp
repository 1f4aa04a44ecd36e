#include "gateway/responses/responses_translate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "gateway/providers/mock/mock_replies.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

constexpr long long kCreated = 1700000123;
constexpr char kResponseId[] = "resp_abc123";

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

json::object chat_from(std::string_view responses_request) {
  auto chat = chat_request_from_responses(parse_object(responses_request));
  EXPECT_TRUE(chat.ok()) << (chat.ok() ? "" : chat.error().message);
  return chat.ok() ? *chat : json::object();
}

Error error_from(std::string_view responses_request) {
  auto chat = chat_request_from_responses(parse_object(responses_request));
  EXPECT_FALSE(chat.ok());
  return chat.ok() ? Error{} : chat.error();
}

// --- Request ---

TEST(ResponsesRequest, StringInputIsOneUserMessage) {
  const json::object chat = chat_from(R"({"model":"m","input":"Hello"})");
  EXPECT_EQ(chat.at("model"), "m");
  EXPECT_EQ(json::serialize(chat.at("messages")), R"([{"role":"user","content":"Hello"}])");
  EXPECT_FALSE(chat.contains("stream"));
  EXPECT_FALSE(chat.contains("stream_options"));
}

TEST(ResponsesRequest, InstructionsLeadAndDeveloperBecomesSystem) {
  const json::object chat = chat_from(R"({"model":"m","instructions":"Be brief.","input":[
      {"role":"developer","content":"Answer in French."},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}]})");
  const json::array& messages = chat.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(json::serialize(messages[0]), R"({"role":"system","content":"Be brief."})");
  EXPECT_EQ(json::serialize(messages[1]), R"({"role":"system","content":"Answer in French."})");
  EXPECT_EQ(json::serialize(messages[2]), R"({"role":"user","content":"Hi"})");
}

TEST(ResponsesRequest, TextAndImagePartsBecomeChatParts) {
  const json::object chat = chat_from(R"({"model":"m","input":[{"role":"user","content":[
      {"type":"input_text","text":"What is this?"},
      {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"}]}]})");
  const json::value& content = chat.at("messages").as_array()[0].at("content");
  EXPECT_EQ(
      json::serialize(content),
      R"([{"type":"text","text":"What is this?"},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}])");
}

TEST(ResponsesRequest, AssistantOutputTextJoinsIntoContent) {
  const json::object chat = chat_from(R"({"model":"m","input":[
      {"role":"user","content":"Hi"},
      {"type":"message","role":"assistant","id":"msg_1","status":"completed",
       "content":[{"type":"output_text","text":"Hello","annotations":[]},
                  {"type":"output_text","text":" there","annotations":[]}]}]})");
  const json::object& assistant = chat.at("messages").as_array()[1].as_object();
  EXPECT_EQ(assistant.at("role"), "assistant");
  EXPECT_EQ(assistant.at("content"), "Hello there");
}

TEST(ResponsesRequest, FunctionCallsMergeIntoOneAssistantTurnFollowedByToolResults) {
  const json::object chat = chat_from(R"({"model":"m","input":[
      {"role":"user","content":"Weather in Paris and Rome?"},
      {"type":"function_call","id":"fc_1","call_id":"call_a","name":"weather","arguments":"{\"city\":\"Paris\"}"},
      {"type":"function_call","call_id":"call_b","name":"weather","arguments":"{\"city\":\"Rome\"}"},
      {"type":"function_call_output","call_id":"call_a","output":"sunny"},
      {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"rain"}]}]})");
  const json::array& messages = chat.at("messages").as_array();
  ASSERT_EQ(messages.size(), 4u);
  const json::object& assistant = messages[1].as_object();
  EXPECT_EQ(assistant.at("role"), "assistant");
  EXPECT_TRUE(assistant.at("content").is_null());
  const json::array& calls = assistant.at("tool_calls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(
      json::serialize(calls[0]),
      R"({"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}})");
  EXPECT_EQ(calls[1].at("id"), "call_b");
  EXPECT_EQ(json::serialize(messages[2]),
            R"({"role":"tool","tool_call_id":"call_a","content":"sunny"})");
  EXPECT_EQ(json::serialize(messages[3]),
            R"({"role":"tool","tool_call_id":"call_b","content":"rain"})");
}

TEST(ResponsesRequest, AssistantTextThenFunctionCallIsOneMessage) {
  const json::object chat = chat_from(R"({"model":"m","input":[
      {"role":"user","content":"Hi"},
      {"role":"assistant","content":"Let me check."},
      {"type":"function_call","call_id":"call_a","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"call_a","output":"ok"}]})");
  const json::array& messages = chat.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].at("content"), "Let me check.");
  EXPECT_EQ(messages[1].at("tool_calls").as_array().size(), 1u);
}

TEST(ResponsesRequest, SamplingAndLimits) {
  const json::object chat = chat_from(
      R"({"model":"m","input":"x","max_output_tokens":64,"temperature":0.2,"top_p":0.9,
          "user":"u1","store":true,"truncation":"auto",
          "metadata":{"k":"v"},"reasoning":{"effort":"low","summary":"auto"}})");
  EXPECT_EQ(chat.at("max_completion_tokens"), 64);
  // OpenAI rejects both limits in one request.
  EXPECT_FALSE(chat.contains("max_tokens"));
  EXPECT_EQ(chat.at("temperature"), 0.2);
  EXPECT_EQ(chat.at("top_p"), 0.9);
  EXPECT_EQ(chat.at("user"), "u1");
  EXPECT_EQ(chat.at("reasoning_effort"), "low");
  for (std::string_view dropped : {"store", "truncation", "metadata", "reasoning", "input"})
    EXPECT_FALSE(chat.contains(dropped)) << dropped;
}

TEST(ResponsesRequest, FunctionToolsAndToolChoice) {
  const json::object chat = chat_from(R"({"model":"m","input":"x","tools":[
      {"type":"function","name":"get_weather","description":"Weather",
       "parameters":{"type":"object","properties":{}},"strict":true}],
      "tool_choice":{"type":"function","name":"get_weather"}})");
  EXPECT_EQ(json::serialize(chat.at("tools")),
            R"([{"type":"function","function":{"name":"get_weather","description":"Weather",)"
            R"("parameters":{"type":"object","properties":{}},"strict":true}}])");
  EXPECT_EQ(json::serialize(chat.at("tool_choice")),
            R"({"type":"function","function":{"name":"get_weather"}})");
  const json::object required = chat_from(
      R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":"required",
          "parallel_tool_calls":false})");
  EXPECT_EQ(required.at("tool_choice"), "required");
  EXPECT_EQ(required.at("parallel_tool_calls"), false);
  // Chat refuses tool settings without tools.
  const json::object none =
      chat_from(R"({"model":"m","input":"x","tool_choice":"auto","parallel_tool_calls":true})");
  EXPECT_FALSE(none.contains("tool_choice"));
  EXPECT_FALSE(none.contains("parallel_tool_calls"));
}

TEST(ResponsesRequest, TextFormatBecomesResponseFormat) {
  const json::object schema = chat_from(R"({"model":"m","input":"x","text":{"format":
      {"type":"json_schema","name":"answer","strict":true,"schema":{"type":"object"}}}})");
  EXPECT_EQ(
      json::serialize(schema.at("response_format")),
      R"({"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}})");
  const json::object object =
      chat_from(R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}}})");
  EXPECT_EQ(json::serialize(object.at("response_format")), R"({"type":"json_object"})");
  const json::object text =
      chat_from(R"({"model":"m","input":"x","text":{"format":{"type":"text"}}})");
  EXPECT_FALSE(text.contains("response_format"));
}

TEST(ResponsesRequest, StreamingAlwaysAsksForUsage) {
  const json::object chat = chat_from(R"({"model":"m","input":"x","stream":true})");
  EXPECT_EQ(chat.at("stream"), true);
  EXPECT_EQ(json::serialize(chat.at("stream_options")), R"({"include_usage":true})");
}

TEST(ResponsesRequest, ReasoningItemsAreDropped) {
  const json::object chat = chat_from(R"({"model":"m","input":[
      {"role":"user","content":"x"},{"type":"reasoning","id":"rs_1","summary":[]}]})");
  EXPECT_EQ(chat.at("messages").as_array().size(), 1u);
}

TEST(ResponsesRequest, UnsupportedFeaturesNameTheParam) {
  struct Case {
    std::string_view body;
    std::string_view param;
  };
  const Case cases[] = {
      {R"({"model":"m","input":"x","tools":[{"type":"web_search"}]})", "tools[0].type"},
      {R"({"model":"m","input":"x","conversation":"conv_1"})", "conversation"},
      {R"({"model":"m","input":"x","background":true})", "background"},
      {R"({"model":"m","input":[{"role":"user","content":"x"},{"type":"item_reference","id":"msg_1"}]})",
       "input[1]"},
      {R"({"model":"m","input":[{"type":"web_search_call","id":"ws_1"}]})", "input[0].type"},
      {R"({"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]})",
       "input[0].content[0].file_id"},
      {R"({"model":"m","input":[{"role":"tool","content":"x"}]})", "input[0].role"},
      {R"({"model":"m","input":[{"type":"function_call","name":"f"}]})", "input[0].call_id"},
      {R"({"model":"m"})", "input"},
      {R"({"model":"m","input":[]})", "input"},
      {R"({"model":"m","input":42})", "input"},
      {R"({"model":"m","input":"x","stream":"yes"})", "stream"},
      {R"({"model":"m","input":"x","store":"yes"})", "store"},
      {R"({"model":"m","input":"x","previous_response_id":7})", "previous_response_id"},
      {R"({"model":"m","input":[{"type":"item_reference"}]})", "input[0].id"},
      {R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}],
           "tool_choice":{"type":"web_search_preview"}})",
       "tool_choice"},
  };
  for (const Case& c : cases) {
    const Error error = error_from(c.body);
    EXPECT_EQ(error.code, Errc::invalid_request) << c.body;
    EXPECT_EQ(error.param, c.param) << c.body;
    EXPECT_EQ(openai_error_type(error.code), "invalid_request_error");
  }
  EXPECT_TRUE(
      chat_request_from_responses(parse_object(R"({"model":"m","input":"x","background":false})"))
          .ok());
}

// --- Non-streaming response ---

json::object response_from(std::string_view chat, const json::object* request = nullptr,
                           const Usage* fallback = nullptr) {
  auto body = responses_json_from_chat(chat, kResponseId, kCreated, request, fallback);
  EXPECT_TRUE(body.ok());
  return body.ok() ? parse_object(*body) : json::object();
}

constexpr std::string_view kTextCompletion = R"({"id":"chatcmpl-1","object":"chat.completion",
    "created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant",
    "content":"Hello!","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,
    "completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4},
    "completion_tokens_details":{"reasoning_tokens":2}}})";

TEST(ResponsesResponse, TextAnswer) {
  const json::object r = response_from(kTextCompletion);
  EXPECT_EQ(r.at("id"), kResponseId);
  EXPECT_EQ(r.at("object"), "response");
  EXPECT_EQ(r.at("created_at"), kCreated);
  EXPECT_EQ(r.at("status"), "completed");
  EXPECT_EQ(r.at("model"), "gpt-4o-2024-08-06");
  EXPECT_TRUE(r.at("error").is_null());
  EXPECT_TRUE(r.at("incomplete_details").is_null());
  const json::array& output = r.at("output").as_array();
  ASSERT_EQ(output.size(), 1u);
  const json::object& message = output[0].as_object();
  EXPECT_EQ(message.at("type"), "message");
  EXPECT_EQ(message.at("id"), "msg_abc123");
  EXPECT_EQ(message.at("status"), "completed");
  EXPECT_EQ(message.at("role"), "assistant");
  const json::object& part = message.at("content").as_array()[0].as_object();
  EXPECT_EQ(part.at("type"), "output_text");
  EXPECT_EQ(part.at("text"), "Hello!");
  EXPECT_TRUE(part.at("annotations").as_array().empty());
  EXPECT_EQ(json::serialize(r.at("usage")),
            R"({"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":5,)"
            R"("output_tokens_details":{"reasoning_tokens":2},"total_tokens":15})");
}

TEST(ResponsesResponse, DefaultsAndRequestEcho) {
  const json::object defaults = response_from(kTextCompletion);
  EXPECT_EQ(defaults.at("tool_choice"), "auto");
  EXPECT_TRUE(defaults.at("tools").as_array().empty());
  EXPECT_EQ(defaults.at("temperature"), 1.0);
  EXPECT_EQ(defaults.at("store"), true);  // OpenAI's default
  EXPECT_TRUE(defaults.at("previous_response_id").is_null());
  EXPECT_EQ(json::serialize(defaults.at("text")), R"({"format":{"type":"text"}})");

  const json::object request = parse_object(R"({"model":"m","input":"x","instructions":"Be brief.",
      "temperature":0.5,"max_output_tokens":100,"metadata":{"k":"v"},
      "tools":[{"type":"function","name":"f"}],"tool_choice":"required","store":false,
      "previous_response_id":"resp_prev"})");
  const json::object echoed = response_from(kTextCompletion, &request);
  EXPECT_EQ(echoed.at("store"), false);
  EXPECT_EQ(echoed.at("previous_response_id"), "resp_prev");
  EXPECT_EQ(echoed.at("instructions"), "Be brief.");
  EXPECT_EQ(echoed.at("temperature"), 0.5);
  EXPECT_EQ(echoed.at("max_output_tokens"), 100);
  EXPECT_EQ(echoed.at("tool_choice"), "required");
  EXPECT_EQ(echoed.at("tools").as_array()[0].at("name"), "f");
  EXPECT_EQ(echoed.at("metadata").at("k"), "v");
}

TEST(ResponsesResponse, ToolCallsBecomeFunctionCallItems) {
  const json::object r = response_from(R"({"id":"c","object":"chat.completion","created":1,
      "model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,
      "tool_calls":[{"id":"call_1","type":"function","function":{"name":"a","arguments":"{}"}},
                    {"id":"call_2","type":"function","function":{"name":"b","arguments":"{\"x\":1}"}}]},
      "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":2}})");
  EXPECT_EQ(r.at("status"), "completed");
  const json::array& output = r.at("output").as_array();
  ASSERT_EQ(output.size(), 2u);
  EXPECT_EQ(json::serialize(output[0]),
            R"({"id":"fc_abc123_0","type":"function_call","status":"completed",)"
            R"("call_id":"call_1","name":"a","arguments":"{}"})");
  EXPECT_EQ(output[1].at("call_id"), "call_2");
  EXPECT_EQ(output[1].at("arguments"), R"({"x":1})");
  EXPECT_EQ(r.at("usage").at("total_tokens"), 5);
}

TEST(ResponsesResponse, TextWithToolCallKeepsBoth) {
  const json::object r = response_from(R"({"model":"m","choices":[{"message":{"role":"assistant",
      "content":"Checking.","tool_calls":[{"id":"call_1","type":"function",
      "function":{"name":"a","arguments":"{}"}}]},"finish_reason":"tool_calls"}]})");
  const json::array& output = r.at("output").as_array();
  ASSERT_EQ(output.size(), 2u);
  EXPECT_EQ(output[0].at("type"), "message");
  EXPECT_EQ(output[1].at("type"), "function_call");
}

TEST(ResponsesResponse, LengthIsIncomplete) {
  const json::object r = response_from(R"({"model":"m","choices":[{"message":{"role":"assistant",
      "content":"Cut"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":1}})");
  EXPECT_EQ(r.at("status"), "incomplete");
  EXPECT_EQ(json::serialize(r.at("incomplete_details")), R"({"reason":"max_output_tokens"})");
  EXPECT_EQ(r.at("output").as_array()[0].at("status"), "incomplete");
}

TEST(ResponsesResponse, RefusalIsARefusalPart) {
  const json::object r = response_from(R"({"model":"m","choices":[{"message":{"role":"assistant",
      "content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]})");
  const json::array& content = r.at("output").as_array()[0].at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(json::serialize(content[0]),
            R"({"type":"refusal","refusal":"I can't help with that."})");
}

TEST(ResponsesResponse, MissingUsageFallsBackToTheGatewayCount) {
  Usage usage;
  usage.prompt_tokens = 7;
  usage.completion_tokens = 3;
  const std::string_view chat =
      R"({"model":"m","choices":[{"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}]})";
  EXPECT_EQ(response_from(chat, nullptr, &usage).at("usage").at("total_tokens"), 10);
  EXPECT_TRUE(response_from(chat).at("usage").is_null());
}

TEST(ResponsesResponse, NotACompletionIsBadGateway) {
  for (std::string_view body : {"not json", R"({"error":{"message":"x"}})", R"({"choices":[]})"}) {
    auto r = responses_json_from_chat(body, kResponseId, kCreated);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, Errc::bad_gateway);
  }
}

// --- Stored responses: item_reference and previous_response_id ---

constexpr std::string_view kToolCompletion = R"({"model":"m","choices":[{"message":{
    "role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function",
    "function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
    "finish_reason":"tool_calls"}]})";

// Stores what `request` and the chat `completion` make, as the route does; returns the Response.
json::object answer_and_store(ResponseStore& store, std::string_view response_id,
                              std::string_view request_json, std::string_view completion) {
  const json::object request = parse_object(request_json);
  auto chat = chat_request_from_responses(request, &store);
  EXPECT_TRUE(chat.ok()) << (chat.ok() ? "" : chat.error().message);
  if (!chat.ok()) return {};
  auto response = response_from_chat(completion, response_id, kCreated, &request);
  EXPECT_TRUE(response.ok());
  if (!response.ok()) return {};
  if (store_requested(request))
    store.put(response_id, stored_response(request, *chat, response->at("output").as_array()));
  return *response;
}

json::object chat_with(ResponseStore& store, std::string_view request) {
  auto chat = chat_request_from_responses(parse_object(request), &store);
  EXPECT_TRUE(chat.ok()) << (chat.ok() ? "" : chat.error().message);
  return chat.ok() ? *chat : json::object();
}

TEST(ResponsesStored, StoredResponseHoldsTheConversationWithoutInstructions) {
  const json::object request = parse_object(
      R"({"model":"m","instructions":"Be brief.","input":[{"role":"user","content":"Hi"}]})");
  const json::object chat = chat_request_from_responses(request).value();
  const json::object response = response_from(kToolCompletion, &request);
  const StoredResponse stored = stored_response(request, chat, response.at("output").as_array());
  EXPECT_EQ(stored.input, R"([{"role":"user","content":"Hi"}])");
  ASSERT_EQ(stored.output.size(), 2u);
  EXPECT_EQ(stored.output[0].id, "msg_abc123");
  EXPECT_EQ(stored.output[0].chat_message, R"({"role":"assistant","content":"Checking."})");
  EXPECT_EQ(stored.output[1].id, "fc_abc123_0");
  EXPECT_EQ(stored.output[1].chat_message,
            R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
            R"("function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]})");
}

TEST(ResponsesStored, TheWholeResponseAndTheInputItemsAreKeptForRetrieval) {
  const json::object request = parse_object(
      R"({"model":"m","instructions":"Be brief.","input":[{"role":"user","content":"Hi"}]})");
  const json::object chat = chat_request_from_responses(request).value();
  const json::object response = response_from(kToolCompletion, &request);
  const StoredResponse stored = stored_response(request, chat, response);
  EXPECT_EQ(json::parse(stored.object), response);
  EXPECT_EQ(stored.output.size(), 2u);  // as the output array makes it
  EXPECT_EQ(stored.output[1].id, "fc_abc123_0");
  const json::array items = json::parse(stored.input_items).as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("role"), "user");
  EXPECT_EQ(json::serialize(items[0].at("content")), R"([{"type":"input_text","text":"Hi"}])");
  // Text the caller rendered already is kept as it is.
  EXPECT_EQ(stored_response(request, chat, response, "{\"same\":1}").object, "{\"same\":1}");
}

TEST(ResponsesStored, StoreIsRequestedUnlessFalse) {
  EXPECT_TRUE(store_requested(parse_object(R"({"input":"x"})")));
  EXPECT_TRUE(store_requested(parse_object(R"({"input":"x","store":null})")));
  EXPECT_TRUE(store_requested(parse_object(R"({"input":"x","store":true})")));
  EXPECT_FALSE(store_requested(parse_object(R"({"input":"x","store":false})")));
}

TEST(ResponsesStored, ItemReferencesResolveToTheStoredMessages) {
  ResponseStore store;
  answer_and_store(store, "resp_t1", R"({"model":"m","input":"Weather in Paris?"})",
                   kToolCompletion);
  // The Vercel AI SDK's second step: the earlier answer by reference, the tool result in full.
  const json::object chat = chat_with(store, R"({"model":"m","input":[
      {"role":"user","content":"Weather in Paris?"},
      {"type":"item_reference","id":"msg_t1"},
      {"type":"item_reference","id":"fc_t1_0"},
      {"type":"function_call_output","call_id":"call_1","output":"sunny"}]})");
  EXPECT_EQ(
      json::serialize(chat.at("messages")),
      R"([{"role":"user","content":"Weather in Paris?"},)"
      R"({"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function",)"
      R"("function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"sunny"}])");
}

TEST(ResponsesStored, AnUnknownItemReferenceIsNotStored) {
  ResponseStore store;
  auto chat = chat_request_from_responses(parse_object(R"({"model":"m","input":[
      {"role":"user","content":"x"},{"type":"item_reference","id":"msg_gone"}]})"),
                                          &store);
  ASSERT_FALSE(chat.ok());
  EXPECT_EQ(chat.error().code, Errc::invalid_request);
  EXPECT_EQ(chat.error().param, "input[1]");
  EXPECT_NE(chat.error().message.find("'msg_gone' is not stored"), std::string::npos)
      << chat.error().message;
  EXPECT_NE(chat.error().message.find("restart"), std::string::npos);
}

// An input item of a stored response, by the id GET .../input_items lists, stands for the item
// itself, as at OpenAI where every item of a stored response can be referred to.
TEST(ResponsesStored, ItemReferencesToInputItemsResolveAsTheItemsThemselves) {
  ResponseStore store;
  const json::object request = parse_object(R"({"model":"m","input":[
      {"id":"msg_q1","role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]},
      {"role":"user","content":"Be quick."}]})");
  const json::object chat = chat_request_from_responses(request, &store).value();
  const json::object response = response_from(kToolCompletion, &request);
  StoredResponse stored = stored_response(request, chat, response);
  ASSERT_EQ(stored.inputs.size(), 2u);
  EXPECT_EQ(stored.inputs[0].id, "msg_q1");
  const std::string generated = stored.inputs[1].id;  // the id input_items lists for it
  EXPECT_TRUE(generated.starts_with("msg_")) << generated;
  const json::array listed = json::parse(stored.input_items).as_array();
  EXPECT_EQ(listed[1].at("id").as_string(), generated);
  ASSERT_TRUE(store.put("resp_abc123", std::move(stored)));

  std::string request_json = R"({"model":"m","input":[{"type":"item_reference","id":"msg_q1"},)";
  request_json += R"({"type":"item_reference","id":")" + generated + R"("},)";
  request_json += R"({"type":"item_reference","id":"msg_abc123"},)";
  request_json += R"({"role":"user","content":"And tomorrow?"}]})";
  const json::object next = chat_with(store, request_json);
  EXPECT_EQ(json::serialize(next.at("messages")),
            R"([{"role":"user","content":"Weather in Paris?"},)"
            R"({"role":"user","content":"Be quick."},)"
            R"({"role":"assistant","content":"Checking."},)"
            R"({"role":"user","content":"And tomorrow?"}])");
}

// References among the input items name items of other responses: they are listed, not indexed.
TEST(ResponsesStored, AnInputItemThatIsAReferenceIsNotAnItemOfItsOwn) {
  const json::object request = parse_object(R"({"model":"m","input":[
      {"type":"item_reference","id":"msg_elsewhere"},{"role":"user","content":"Hi"}]})");
  ResponseStore store;
  store.put("resp_elsewhere", [] {
    StoredResponse r;
    r.output.push_back({"msg_elsewhere", R"({"role":"assistant","content":"Earlier."})"});
    return r;
  }());
  const json::object chat = chat_request_from_responses(request, &store).value();
  const StoredResponse stored =
      stored_response(request, chat, response_from(kTextCompletion, &request));
  EXPECT_EQ(json::parse(stored.input_items).as_array().size(), 2u);
  ASSERT_EQ(stored.inputs.size(), 1u);
  EXPECT_EQ(json::parse(stored.input_items.substr(stored.inputs[0].offset, stored.inputs[0].size))
                .at("role"),
            "user");
}

TEST(ResponsesStored, PreviousResponseIdPrependsItsConversation) {
  ResponseStore store;
  answer_and_store(store, "resp_one",
                   R"({"model":"m","instructions":"Old rules.","input":"First question"})",
                   kTextCompletion);
  // Instructions are the new request's only: those of earlier turns are not carried over.
  answer_and_store(store, "resp_two",
                   R"({"model":"m","instructions":"New rules.","input":"Second question",
                       "previous_response_id":"resp_one"})",
                   kToolCompletion);
  const json::object chat = chat_with(store, R"({"model":"m","previous_response_id":"resp_two",
      "input":[{"type":"function_call_output","call_id":"call_1","output":"sunny"}]})");
  EXPECT_EQ(
      json::serialize(chat.at("messages")),
      R"([{"role":"user","content":"First question"},{"role":"assistant","content":"Hello!"},)"
      R"({"role":"user","content":"Second question"},)"
      R"({"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function",)"
      R"("function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"sunny"}])");
}

TEST(ResponsesStored, StoreFalseKeepsNothing) {
  ResponseStore store;
  answer_and_store(store, "resp_x", R"({"model":"m","input":"x","store":false})", kTextCompletion);
  EXPECT_EQ(store.size(), 0u);
  // References still resolve for a request that itself asks not to be stored.
  answer_and_store(store, "resp_y", R"({"model":"m","input":"y"})", kTextCompletion);
  const json::object chat = chat_with(
      store, R"({"model":"m","store":false,"previous_response_id":"resp_y","input":"z"})");
  EXPECT_EQ(chat.at("messages").as_array().size(), 3u);
}

TEST(ResponsesStored, AnUnknownPreviousResponseIsNotFound) {
  ResponseStore store;
  for (ResponseStore* s : {&store, static_cast<ResponseStore*>(nullptr)}) {
    auto chat = chat_request_from_responses(
        parse_object(R"({"model":"m","input":"x","previous_response_id":"resp_gone"})"), s);
    ASSERT_FALSE(chat.ok());
    EXPECT_EQ(chat.error().code, Errc::not_found);
    EXPECT_EQ(openai_error_type(chat.error().code), "not_found_error");
    EXPECT_EQ(chat.error().param, "previous_response_id");
    EXPECT_EQ(chat.error().message, "Previous response with id 'resp_gone' not found.");
  }
}

// --- Streaming ---

struct Stream {
  std::vector<ResponsesEvent> events;
  std::vector<json::object> data;  // parsed, in order

  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.type);
    return out;
  }
  void parse() {
    data.clear();
    for (const auto& e : events) data.push_back(parse_object(e.data));
  }
  const json::object& last() const { return data.back(); }
};

Stream run(const std::vector<std::string>& chunks, const json::object* request = nullptr,
           Usage fallback = {}) {
  ResponsesStreamTranslator translator(std::string(kResponseId), kCreated, "alias", request);
  Stream s;
  for (const auto& chunk : chunks) translator.feed(chunk, s.events);
  translator.finish(fallback, s.events);
  s.parse();
  return s;
}

// Every event names its own type and numbers itself in order, from 0.
void expect_well_formed(const Stream& s) {
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    EXPECT_EQ(s.data[i].at("type").as_string(), s.events[i].type);
    EXPECT_EQ(s.data[i].at("sequence_number"), static_cast<long long>(i));
  }
}

std::vector<std::string> mock_chunks(std::string_view request, bool include_usage = true) {
  const MockReply reply = mock_chat_reply(parse_object(request));
  return chat_chunks_json(reply, "upstream-model", "chatcmpl-1", 1, 4, include_usage);
}

TEST(ResponsesStream, TextAnswer) {
  const Stream s = run(mock_chunks(R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})"));
  expect_well_formed(s);
  const std::vector<std::string> expected = {
      "response.created",           "response.in_progress",
      "response.output_item.added", "response.content_part.added",
      "response.output_text.delta", "response.output_text.delta",
      "response.output_text.delta", "response.output_text.delta",
      "response.output_text.done",  "response.content_part.done",
      "response.output_item.done",  "response.completed"};
  EXPECT_EQ(s.types(), expected);

  const json::object& created = s.data[0].at("response").as_object();
  EXPECT_EQ(created.at("id"), kResponseId);
  EXPECT_EQ(created.at("status"), "in_progress");
  EXPECT_EQ(created.at("model"), "upstream-model");  // as the upstream named it
  EXPECT_TRUE(created.at("output").as_array().empty());

  EXPECT_EQ(s.data[2].at("item").at("id"), "msg_abc123");
  EXPECT_EQ(s.data[2].at("output_index"), 0);
  std::string text;
  for (const auto& d : s.data)
    if (d.at("type") == "response.output_text.delta") {
      EXPECT_EQ(d.at("item_id"), "msg_abc123");
      EXPECT_EQ(d.at("content_index"), 0);
      text += d.at("delta").as_string();
    }
  EXPECT_TRUE(text.starts_with("Mock reply to: Hi.")) << text;
  EXPECT_EQ(s.data[8].at("text").as_string(), text);
  EXPECT_EQ(s.data[9].at("part").at("text").as_string(), text);
  EXPECT_EQ(s.data[10].at("item").at("status"), "completed");

  const json::object& done = s.last().at("response").as_object();
  EXPECT_EQ(done.at("status"), "completed");
  EXPECT_EQ(done.at("output").as_array()[0].at("content").as_array()[0].at("text").as_string(),
            text);
  EXPECT_GT(done.at("usage").at("input_tokens").as_int64(), 0);
  EXPECT_GT(done.at("usage").at("output_tokens").as_int64(), 0);
}

TEST(ResponsesStream, ToolCall) {
  const Stream s = run(mock_chunks(R"({"model":"m","messages":[{"role":"user","content":"Hi"}],
      "tools":[{"type":"function","function":{"name":"lookup"}}],"tool_choice":"required"})"));
  expect_well_formed(s);
  const std::vector<std::string> expected = {"response.created",
                                             "response.in_progress",
                                             "response.output_item.added",
                                             "response.function_call_arguments.delta",
                                             "response.function_call_arguments.done",
                                             "response.output_item.done",
                                             "response.completed"};
  EXPECT_EQ(s.types(), expected);
  const json::object& added = s.data[2].at("item").as_object();
  EXPECT_EQ(added.at("type"), "function_call");
  EXPECT_EQ(added.at("id"), "fc_abc123_0");
  EXPECT_EQ(added.at("name"), "lookup");
  EXPECT_EQ(added.at("arguments"), "");
  EXPECT_TRUE(added.at("call_id").as_string().starts_with("call_"));
  EXPECT_EQ(s.data[3].at("delta"), "{}");
  EXPECT_EQ(s.data[4].at("arguments"), "{}");
  EXPECT_EQ(s.data[5].at("item").at("status"), "completed");
  const json::array& output = s.last().at("response").at("output").as_array();
  ASSERT_EQ(output.size(), 1u);
  EXPECT_EQ(output[0].at("call_id"), added.at("call_id"));
}

std::string chunk(std::string_view delta, std::string_view finish_reason = "null") {
  return R"({"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":)" +
         std::string(delta) + R"(,"finish_reason":)" + std::string(finish_reason) + "}]}";
}

TEST(ResponsesStream, TextThenToolCallsAreSeparateItems) {
  const Stream s = run({
      chunk(R"({"role":"assistant","content":"Checking"})"),
      chunk(
          R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"a","arguments":""}}]})"),
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":"}}]})"),
      chunk(
          R"({"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"b","arguments":"{}"}}]})"),
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]})"),
      chunk("{}", R"("tool_calls")"),
  });
  expect_well_formed(s);
  // The message closes before the first call opens.
  const auto types = s.types();
  const auto message_done = std::find(types.begin(), types.end(), "response.output_item.done");
  const auto call_added = std::find(types.begin() + 3, types.end(), "response.output_item.added");
  EXPECT_LT(message_done, call_added);
  const json::array& output = s.last().at("response").at("output").as_array();
  ASSERT_EQ(output.size(), 3u);
  EXPECT_EQ(output[0].at("type"), "message");
  EXPECT_EQ(json::serialize(output[1]),
            R"({"id":"fc_abc123_1","type":"function_call","status":"completed",)"
            R"("call_id":"call_a","name":"a","arguments":"{\"q\":1}"})");
  EXPECT_EQ(output[2].at("call_id"), "call_b");
  for (const auto& d : s.data) {
    if (d.at("type") == "response.function_call_arguments.delta" &&
        d.at("item_id") == "fc_abc123_1") {
      EXPECT_EQ(d.at("output_index"), 1);
    }
  }
  // Usage was never reported: the gateway's count (zero here) stands in.
  EXPECT_EQ(s.last().at("response").at("usage").at("total_tokens"), 0);
}

TEST(ResponsesStream, ToolNameArrivingLateDelaysTheItem) {
  const Stream s = run({
      chunk(R"({"tool_calls":[{"index":0,"id":"call_a","function":{"arguments":"{"}}]})"),
      chunk(R"({"tool_calls":[{"index":0,"function":{"name":"late","arguments":"}"}}]})"),
      chunk("{}", R"("tool_calls")"),
  });
  expect_well_formed(s);
  EXPECT_EQ(s.data[2].at("type"), "response.output_item.added");
  EXPECT_EQ(s.data[2].at("item").at("name"), "late");
  EXPECT_EQ(s.data[3].at("delta"), "{}");  // the arguments held back until then
  EXPECT_EQ(s.data[4].at("type"), "response.function_call_arguments.done");
  EXPECT_EQ(s.data[4].at("arguments"), "{}");
}

TEST(ResponsesStream, LengthEndsWithResponseIncomplete) {
  const Stream s = run({chunk(R"({"content":"Cut"})"), chunk("{}", R"("length")")});
  EXPECT_EQ(s.events.back().type, "response.incomplete");
  const json::object& response = s.last().at("response").as_object();
  EXPECT_EQ(response.at("status"), "incomplete");
  EXPECT_EQ(response.at("incomplete_details").at("reason"), "max_output_tokens");
  EXPECT_EQ(response.at("output").as_array()[0].at("status"), "incomplete");
}

TEST(ResponsesStream, FallbackUsageWhenTheUpstreamReportsNone) {
  Usage usage;
  usage.prompt_tokens = 11;
  usage.completion_tokens = 4;
  usage.cached_tokens = 2;
  const Stream s =
      run(mock_chunks(R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})", false),
          nullptr, usage);
  EXPECT_EQ(json::serialize(s.last().at("response").at("usage")),
            R"({"input_tokens":11,"input_tokens_details":{"cached_tokens":2},"output_tokens":4,)"
            R"("output_tokens_details":{"reasoning_tokens":0},"total_tokens":15})");
}

TEST(ResponsesStream, EmptyStreamStillCompletes) {
  const Stream s = run({});
  const std::vector<std::string> expected = {"response.created", "response.in_progress",
                                             "response.completed"};
  EXPECT_EQ(s.types(), expected);
  EXPECT_EQ(s.data[0].at("response").at("model"), "alias");
}

TEST(ResponsesStream, FailureMidStream) {
  ResponsesStreamTranslator translator(std::string(kResponseId), kCreated, "alias");
  std::vector<ResponsesEvent> events;
  translator.feed(chunk(R"({"content":"Partial"})"), events);
  translator.feed("not json", events);  // ignored
  EXPECT_TRUE(translator.started());
  translator.fail(make_error(Errc::gateway_timeout, "upstream went silent"), events);
  translator.finish({}, events);  // no effect after a failure
  Stream s{events, {}};
  s.parse();
  expect_well_formed(s);
  ASSERT_GE(s.events.size(), 2u);
  EXPECT_EQ(s.events[s.events.size() - 2].type, "error");
  const json::object& error = s.data[s.data.size() - 2];
  EXPECT_EQ(error.at("code"), "server_error");
  EXPECT_EQ(error.at("message"), "upstream went silent");
  EXPECT_TRUE(error.at("param").is_null());
  EXPECT_EQ(s.events.back().type, "response.failed");
  const json::object& response = s.last().at("response").as_object();
  EXPECT_EQ(response.at("status"), "failed");
  EXPECT_EQ(response.at("error").at("message"), "upstream went silent");
}

TEST(ResponsesStream, OutputItemsAreTheCompletedOutput) {
  ResponsesStreamTranslator translator(std::string(kResponseId), kCreated, "alias");
  std::vector<ResponsesEvent> events;
  translator.feed(chunk(R"({"content":"Checking"})"), events);
  translator.feed(
      chunk(
          R"({"tool_calls":[{"index":0,"id":"call_a","function":{"name":"a","arguments":"{}"}}]})"),
      events);
  translator.feed(chunk("{}", R"("tool_calls")"), events);
  translator.finish({}, events);
  const json::array output = translator.output_items();
  ASSERT_EQ(output.size(), 2u);
  EXPECT_EQ(output[0].at("id"), "msg_abc123");
  EXPECT_EQ(output[1].at("id"), "fc_abc123_1");
  EXPECT_EQ(output, parse_object(events.back().data).at("response").at("output"));
  EXPECT_EQ(translator.final_response(), parse_object(events.back().data).at("response"));

  // What the store keeps of it is what a later reference needs.
  const json::object request = parse_object(R"({"model":"m","input":"x"})");
  const StoredResponse stored =
      stored_response(request, chat_request_from_responses(request).value(), output);
  ASSERT_EQ(stored.output.size(), 2u);
  EXPECT_EQ(stored.output[0].chat_message, R"({"role":"assistant","content":"Checking"})");
  EXPECT_EQ(stored.output[1].id, "fc_abc123_1");
}

// A response that could not be stored says so in the event that ends the stream.
TEST(ResponsesStream, AResponseNotStoredSaysSoWhenItCompletes) {
  ResponsesStreamTranslator translator(std::string(kResponseId), kCreated, "alias");
  std::vector<ResponsesEvent> events;
  translator.feed(chunk(R"({"content":"Hi"})"), events);
  translator.close({}, events);
  EXPECT_EQ(translator.final_response().at("store"), true);
  EXPECT_NE(events.back().type, "response.completed");  // not yet
  translator.not_stored();
  translator.complete(events);
  translator.complete(events);  // once only
  ASSERT_EQ(events.back().type, "response.completed");
  EXPECT_EQ(events[events.size() - 2].type, "response.output_item.done");
  const json::object completed = parse_object(events.back().data);
  EXPECT_EQ(completed.at("response").at("store"), false);
  EXPECT_EQ(completed.at("response").at("status"), "completed");
  EXPECT_EQ(completed.at("response"), translator.final_response());
}

TEST(ResponsesStream, DeltasAreEscaped) {
  const Stream s = run({chunk(R"({"content":"quote \" and\nnewline \u00e9"})")});
  EXPECT_EQ(s.data[4].at("delta"), "quote \" and\nnewline \xc3\xa9");
}

}  // namespace
}  // namespace sluice::gateway
