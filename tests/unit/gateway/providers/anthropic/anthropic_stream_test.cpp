#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

constexpr long long kCreated = 1700000123;

// Recorded Messages API stream for a plain text answer (ids shortened).
constexpr std::string_view kTextStream = R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_01TextStream","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":10,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", \"world\"!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

event: message_stop
data: {"type":"message_stop"}

)";

// Recorded stream for a tool call that follows some text: the tool_use is content block 1 but
// must become OpenAI tool call 0.
constexpr std::string_view kToolStream = R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather for San Francisco, CA:"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San Fra"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":", \"unit\": \"fah"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"renheit\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

)";

struct SseEvent {
  std::string event;
  std::string data;
};

// Splits an SSE transcript the way the upstream reader would hand it over.
std::vector<SseEvent> split_sse(std::string_view text) {
  std::vector<SseEvent> events;
  SseEvent current;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.empty()) {
      if (!current.data.empty()) events.push_back(std::move(current));
      current = {};
    } else if (line.starts_with("event: ")) {
      current.event = line.substr(7);
    } else if (line.starts_with("data: ")) {
      current.data = line.substr(6);
    }
  }
  return events;
}

// Feeds a whole transcript and returns every chunk, parsed.
std::vector<json::object> run(AnthropicStreamTranslator& translator, std::string_view transcript) {
  std::vector<json::object> chunks;
  for (const SseEvent& e : split_sse(transcript)) {
    auto out = translator.on_event(e.event, e.data);
    if (!out) {
      ADD_FAILURE() << "event " << e.event << " failed: " << out.error().message;
      continue;
    }
    for (const std::string& payload : *out) chunks.push_back(json::parse(payload).as_object());
  }
  return chunks;
}

const json::object& delta_of(const json::object& chunk) {
  return chunk.at("choices").as_array().at(0).at("delta").as_object();
}

std::string content_of(const std::vector<json::object>& chunks) {
  std::string text;
  for (const auto& chunk : chunks) {
    const auto& choices = chunk.at("choices").as_array();
    if (choices.empty()) continue;
    if (const auto* c = choices[0].at("delta").as_object().if_contains("content")) {
      text += std::string_view(c->as_string());
    }
  }
  return text;
}

void expect_common_fields(const std::vector<json::object>& chunks, std::string_view id) {
  for (const auto& chunk : chunks) {
    EXPECT_EQ(std::string_view(chunk.at("id").as_string()), id);
    EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
    EXPECT_EQ(chunk.at("created").to_number<long long>(), kCreated);
    EXPECT_EQ(chunk.at("model"), "my-alias");
  }
}

TEST(AnthropicStreamTest, TextStream) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  auto chunks = run(translator, kTextStream);
  // role, "Hello", ", \"world\"!", finish
  ASSERT_EQ(chunks.size(), 4u);
  expect_common_fields(chunks, "chatcmpl-01TextStream");
  EXPECT_EQ(delta_of(chunks[0]).at("role"), "assistant");
  EXPECT_EQ(delta_of(chunks[0]).at("content"), "");
  EXPECT_EQ(content_of(chunks), "Hello, \"world\"!");
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_TRUE(chunks[i].at("choices").at(0).at("finish_reason").is_null()) << i;
  }
  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_TRUE(delta_of(chunks.back()).empty());
  for (const auto& chunk : chunks) EXPECT_FALSE(chunk.contains("usage"));

  EXPECT_TRUE(translator.done());
  // Usage is tracked for accounting even though the client did not ask for it.
  EXPECT_EQ(translator.prompt_tokens(), 35);
  EXPECT_EQ(translator.completion_tokens(), 15);
}

TEST(AnthropicStreamTest, IncludeUsageAddsFinalUsageChunk) {
  AnthropicStreamTranslator translator("my-alias", true, kCreated);
  auto chunks = run(translator, kTextStream);
  ASSERT_EQ(chunks.size(), 5u);
  expect_common_fields(chunks, "chatcmpl-01TextStream");
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_TRUE(chunks[i].at("usage").is_null()) << i;
  }
  const auto& last = chunks.back();
  EXPECT_TRUE(last.at("choices").as_array().empty());
  const auto& usage = last.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").to_number<long long>(), 35);
  EXPECT_EQ(usage.at("completion_tokens").to_number<long long>(), 15);
  EXPECT_EQ(usage.at("total_tokens").to_number<long long>(), 50);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").to_number<long long>(), 10);
}

TEST(AnthropicStreamTest, ToolCallStream) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  auto chunks = run(translator, kToolStream);
  expect_common_fields(chunks, "chatcmpl-014p7gG3wDgGV9EUtLvnow3U");
  EXPECT_EQ(content_of(chunks), "Okay, let's check the weather for San Francisco, CA:");

  std::vector<const json::object*> tool_chunks;
  for (const auto& chunk : chunks) {
    if (delta_of(chunk).contains("tool_calls")) tool_chunks.push_back(&chunk);
  }
  // The header, then five non-empty argument fragments (the empty one is not worth a chunk).
  ASSERT_EQ(tool_chunks.size(), 6u);
  const auto& header = delta_of(*tool_chunks[0]).at("tool_calls").at(0).as_object();
  EXPECT_EQ(header.at("index").to_number<int>(), 0);
  EXPECT_EQ(header.at("id"), "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(header.at("type"), "function");
  EXPECT_EQ(header.at("function").at("name"), "get_weather");
  EXPECT_EQ(header.at("function").at("arguments"), "");

  std::string arguments;
  for (std::size_t i = 1; i < tool_chunks.size(); ++i) {
    const auto& call = delta_of(*tool_chunks[i]).at("tool_calls").at(0).as_object();
    EXPECT_EQ(call.at("index").to_number<int>(), 0);
    EXPECT_FALSE(call.contains("id"));
    arguments += std::string_view(call.at("function").at("arguments").as_string());
  }
  EXPECT_EQ(json::parse(arguments),
            json::parse(R"({"location":"San Francisco, CA","unit":"fahrenheit"})"));

  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"), "tool_calls");
  EXPECT_TRUE(translator.done());
  EXPECT_EQ(translator.prompt_tokens(), 472);
  EXPECT_EQ(translator.completion_tokens(), 89);
}

TEST(AnthropicStreamTest, ParallelToolCallsGetConsecutiveIndexes) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  auto chunks = run(translator, R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_par","usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_b","name":"g","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}

)");
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(delta_of(chunks[1]).at("tool_calls").at(0).at("index").to_number<int>(), 0);
  EXPECT_EQ(delta_of(chunks[2]).at("tool_calls").at(0).at("index").to_number<int>(), 1);
  EXPECT_EQ(delta_of(chunks[2]).at("tool_calls").at(0).at("id"), "toolu_b");
  EXPECT_EQ(delta_of(chunks[3]).at("tool_calls").at(0).at("index").to_number<int>(), 1);
  EXPECT_FALSE(translator.done());
}

TEST(AnthropicStreamTest, ErrorEventIsAnError) {
  AnthropicStreamTranslator translator("my-alias", true, kCreated);
  auto started = translator.on_event(
      "message_start", R"({"type":"message_start","message":{"id":"msg_e","usage":{}}})");
  ASSERT_TRUE(started);
  auto failed = translator.on_event(
      "error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::unavailable);
  EXPECT_EQ(failed.error().message, "Overloaded");
  EXPECT_EQ(failed.error().code_detail, "overloaded_error");
  EXPECT_FALSE(translator.done());
}

TEST(AnthropicStreamTest, MalformedDataIsBadGateway) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  auto out = translator.on_event("content_block_delta", "{not json");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::bad_gateway);
}

TEST(AnthropicStreamTest, EventNameFallsBackToDataType) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  auto start = translator.on_event("", R"({"type":"message_start","message":{"id":"msg_n"}})");
  ASSERT_TRUE(start);
  ASSERT_EQ(start->size(), 1u);
  EXPECT_EQ(json::parse(start->at(0)).at("id"), "chatcmpl-n");
  auto stop = translator.on_event("", R"({"type":"message_stop"})");
  ASSERT_TRUE(stop);
  EXPECT_TRUE(translator.done());
}

TEST(AnthropicStreamTest, StopWithoutMessageDeltaStillFinishesAndLaterEventsAreIgnored) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  ASSERT_TRUE(translator.on_event("message_start", R"({"message":{"id":"msg_s"}})"));
  auto stop = translator.on_event("message_stop", R"({"type":"message_stop"})");
  ASSERT_TRUE(stop);
  ASSERT_EQ(stop->size(), 1u);
  EXPECT_EQ(json::parse(stop->at(0)).at("choices").at(0).at("finish_reason"), "stop");
  auto late = translator.on_event("content_block_delta",
                                  R"({"index":0,"delta":{"type":"text_delta","text":"late"}})");
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->empty());
}

TEST(AnthropicStreamTest, MaxTokensStopAndPingProduceNothingExtra) {
  AnthropicStreamTranslator translator("my-alias", false, kCreated);
  ASSERT_TRUE(translator.on_event("message_start", R"({"message":{"id":"msg_m"}})"));
  auto ping = translator.on_event("ping", R"({"type": "ping"})");
  ASSERT_TRUE(ping);
  EXPECT_TRUE(ping->empty());
  auto delta = translator.on_event(
      "message_delta", R"({"delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":7}})");
  ASSERT_TRUE(delta);
  ASSERT_EQ(delta->size(), 1u);
  EXPECT_EQ(json::parse(delta->at(0)).at("choices").at(0).at("finish_reason"), "length");
  auto stop = translator.on_event("message_stop", "{}");
  ASSERT_TRUE(stop);
  EXPECT_TRUE(stop->empty());  // finish already sent, usage not requested
  EXPECT_EQ(translator.completion_tokens(), 7);
}

}  // namespace
}  // namespace sluice::gateway
