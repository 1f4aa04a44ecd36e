#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

Result<std::string> translate_raw(std::string_view openai_json) {
  return anthropic_request_from_openai(json::parse(openai_json).as_object(), "claude-upstream");
}

// Translates and parses the result, failing the test when translation fails.
json::object translate(std::string_view openai_json) {
  auto body = translate_raw(openai_json);
  if (!body) {
    ADD_FAILURE() << "translation failed: " << body.error().message << " (" << body.error().param
                  << ")";
    return {};
  }
  return json::parse(*body).as_object();
}

Error translate_error(std::string_view openai_json) {
  auto body = translate_raw(openai_json);
  if (body) {
    ADD_FAILURE() << "expected an error, got " << *body;
    return {};
  }
  return body.error();
}

const json::array& messages_of(const json::object& request) {
  return request.at("messages").as_array();
}

TEST(AnthropicRequestTest, MinimalRequestUsesUpstreamModelAndDefaultMaxTokens) {
  auto out = translate(R"({"model":"client-alias","messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(out.at("model"), "claude-upstream");
  EXPECT_EQ(out.at("max_tokens"), 4096);
  EXPECT_FALSE(out.contains("system"));
  EXPECT_FALSE(out.contains("stream"));
  const auto& messages = messages_of(out);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("role"), "user");
  const auto& content = messages[0].at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0].at("type"), "text");
  EXPECT_EQ(content[0].at("text"), "Hi");
}

TEST(AnthropicRequestTest, SystemAndDeveloperMessagesAreHoistedAndConcatenated) {
  auto out = translate(R"({"messages":[
    {"role":"system","content":"Be brief."},
    {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
    {"role":"user","content":"Hello"},
    {"role":"system","content":"Never use emoji."}]})");
  EXPECT_EQ(out.at("system"), "Be brief.\n\nAnswer in French.\n\nNever use emoji.");
  const auto& messages = messages_of(out);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("role"), "user");
}

TEST(AnthropicRequestTest, ConsecutiveSameRoleMessagesAreMergedToAlternate) {
  auto out = translate(R"({"messages":[
    {"role":"user","content":"one"},
    {"role":"user","content":[{"type":"text","text":"two"},{"type":"text","text":"three"}]},
    {"role":"assistant","content":"four"},
    {"role":"assistant","content":"five"},
    {"role":"user","content":"six"}]})");
  const auto& messages = messages_of(out);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].at("role"), "user");
  EXPECT_EQ(messages[1].at("role"), "assistant");
  EXPECT_EQ(messages[2].at("role"), "user");
  const auto& first = messages[0].at("content").as_array();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].at("text"), "one");
  EXPECT_EQ(first[2].at("text"), "three");
  const auto& second = messages[1].at("content").as_array();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[1].at("text"), "five");
}

TEST(AnthropicRequestTest, EmptyTextIsDroppedBecauseAnthropicRejectsIt) {
  auto out = translate(R"({"messages":[{"role":"user","content":"q"},
    {"role":"assistant","content":""},{"role":"user","content":"again"}]})");
  const auto& messages = messages_of(out);
  // The empty assistant turn vanishes and the two user turns merge.
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("content").as_array().size(), 2u);
}

TEST(AnthropicRequestTest, ToolCallsBecomeToolUseAndToolMessagesBecomeToolResults) {
  auto out = translate(R"({"messages":[
    {"role":"user","content":"Weather in Paris and Rome?"},
    {"role":"assistant","content":null,"tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]},
    {"role":"tool","tool_call_id":"call_1","content":"18C"},
    {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"12:00"}]},
    {"role":"user","content":"Thanks"}]})");
  const auto& messages = messages_of(out);
  ASSERT_EQ(messages.size(), 3u);

  const auto& assistant = messages[1].as_object();
  EXPECT_EQ(assistant.at("role"), "assistant");
  const auto& uses = assistant.at("content").as_array();
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].at("type"), "tool_use");
  EXPECT_EQ(uses[0].at("id"), "call_1");
  EXPECT_EQ(uses[0].at("name"), "get_weather");
  EXPECT_EQ(uses[0].at("input"), json::parse(R"({"city":"Paris"})"));
  EXPECT_EQ(uses[1].at("input"), json::object());  // empty arguments mean no arguments

  // Both results and the follow-up text travel in one user turn, results first.
  const auto& results = messages[2].as_object();
  EXPECT_EQ(results.at("role"), "user");
  const auto& blocks = results.at("content").as_array();
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].at("type"), "tool_result");
  EXPECT_EQ(blocks[0].at("tool_use_id"), "call_1");
  EXPECT_EQ(blocks[0].at("content"), "18C");
  EXPECT_EQ(blocks[1].at("tool_use_id"), "call_2");
  EXPECT_EQ(blocks[1].at("content").as_array()[0].at("text"), "12:00");
  EXPECT_EQ(blocks[2].at("type"), "text");
  EXPECT_EQ(blocks[2].at("text"), "Thanks");
}

TEST(AnthropicRequestTest, EmptyToolResultHasNoContent) {
  auto out = translate(R"({"messages":[{"role":"user","content":"q"},
    {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"c1","content":""}]})");
  const auto& result = messages_of(out)[2].at("content").as_array()[0].as_object();
  EXPECT_EQ(result.at("tool_use_id"), "c1");
  EXPECT_FALSE(result.contains("content"));
}

TEST(AnthropicRequestTest, AssistantTextAndToolCallsShareOneTurn) {
  auto out = translate(R"({"messages":[{"role":"user","content":"q"},
    {"role":"assistant","content":"Let me check.","tool_calls":[
      {"id":"call_9","type":"function","function":{"name":"lookup","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"call_9","content":"found"}]})");
  const auto& assistant = messages_of(out)[1].at("content").as_array();
  ASSERT_EQ(assistant.size(), 2u);
  EXPECT_EQ(assistant[0].at("type"), "text");
  EXPECT_EQ(assistant[1].at("type"), "tool_use");
}

TEST(AnthropicRequestTest, ImagesFromDataAndHttpUrls) {
  auto out = translate(R"({"messages":[{"role":"user","content":[
    {"type":"text","text":"Compare"},
    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
    {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},
    {"type":"image_url","image_url":"http://example.com/dog.webp"}]}]})");
  const auto& content = messages_of(out)[0].at("content").as_array();
  ASSERT_EQ(content.size(), 4u);
  EXPECT_EQ(content[1].at("type"), "image");
  const auto& inline_source = content[1].at("source").as_object();
  EXPECT_EQ(inline_source.at("type"), "base64");
  EXPECT_EQ(inline_source.at("media_type"), "image/png");
  EXPECT_EQ(inline_source.at("data"), "iVBORw0KGgo=");
  const auto& url_source = content[2].at("source").as_object();
  EXPECT_EQ(url_source.at("type"), "url");
  EXPECT_EQ(url_source.at("url"), "https://example.com/cat.jpg");
  EXPECT_EQ(content[3].at("source").at("url"), "http://example.com/dog.webp");
}

TEST(AnthropicRequestTest, PdfFileBecomesDocument) {
  auto out = translate(R"({"messages":[{"role":"user","content":[
    {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]})");
  const auto& block = messages_of(out)[0].at("content").as_array()[0];
  EXPECT_EQ(block.at("type"), "document");
  EXPECT_EQ(block.at("source").at("media_type"), "application/pdf");
  EXPECT_EQ(block.at("source").at("data"), "JVBERi0=");
}

TEST(AnthropicRequestTest, StopStringOrArrayBecomesStopSequences) {
  auto single = translate(R"({"messages":[{"role":"user","content":"x"}],"stop":"END"})");
  EXPECT_EQ(single.at("stop_sequences"), json::parse(R"(["END"])"));
  auto many = translate(R"({"messages":[{"role":"user","content":"x"}],"stop":["a","b"]})");
  EXPECT_EQ(many.at("stop_sequences"), json::parse(R"(["a","b"])"));
  auto none = translate(R"({"messages":[{"role":"user","content":"x"}],"stop":null})");
  EXPECT_FALSE(none.contains("stop_sequences"));
}

TEST(AnthropicRequestTest, MaxTokensPrefersMaxCompletionTokens) {
  auto legacy = translate(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100})");
  EXPECT_EQ(legacy.at("max_tokens"), 100);
  auto both = translate(
      R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100,"max_completion_tokens":250})");
  EXPECT_EQ(both.at("max_tokens"), 250);
}

TEST(AnthropicRequestTest, SamplingStreamAndUserAreMappedOthersDropped) {
  auto out = translate(R"({"messages":[{"role":"user","content":"x"}],"temperature":0.25,
    "top_p":0.9,"stream":true,"stream_options":{"include_usage":true},"user":"u-42","seed":7,
    "frequency_penalty":0.5,"presence_penalty":0.1,"logprobs":false,"n":1,"store":false})");
  EXPECT_DOUBLE_EQ(out.at("temperature").as_double(), 0.25);
  EXPECT_DOUBLE_EQ(out.at("top_p").as_double(), 0.9);
  EXPECT_EQ(out.at("stream"), true);
  EXPECT_EQ(out.at("metadata").at("user_id"), "u-42");
  for (const char* dropped : {"stream_options", "user", "seed", "frequency_penalty",
                              "presence_penalty", "logprobs", "n", "store"}) {
    EXPECT_FALSE(out.contains(dropped)) << dropped;
  }
}

TEST(AnthropicRequestTest, TemperatureAboveAnthropicRangeIsClamped) {
  auto out = translate(R"({"messages":[{"role":"user","content":"x"}],"temperature":1.6})");
  EXPECT_DOUBLE_EQ(out.at("temperature").as_double(), 1.0);
}

TEST(AnthropicRequestTest, FunctionToolsBecomeInputSchemas) {
  auto out = translate(R"({"messages":[{"role":"user","content":"x"}],"tools":[
    {"type":"function","function":{"name":"get_weather","description":"Weather by city",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
      "strict":true}},
    {"type":"function","function":{"name":"now"}}]})");
  const auto& tools = out.at("tools").as_array();
  ASSERT_EQ(tools.size(), 2u);
  EXPECT_EQ(tools[0].at("name"), "get_weather");
  EXPECT_EQ(tools[0].at("description"), "Weather by city");
  EXPECT_EQ(tools[0].at("input_schema").at("required"), json::parse(R"(["city"])"));
  EXPECT_FALSE(tools[0].as_object().contains("strict"));
  EXPECT_EQ(tools[1].at("input_schema"), json::parse(R"({"type":"object","properties":{}})"));
  EXPECT_FALSE(out.contains("tool_choice"));
}

TEST(AnthropicRequestTest, ToolChoiceMapping) {
  struct Case {
    const char* openai;
    const char* anthropic;
  };
  const Case cases[] = {
      {R"("auto")", R"({"type":"auto"})"},
      {R"("none")", R"({"type":"none"})"},
      {R"("required")", R"({"type":"any"})"},
      {R"({"type":"function","function":{"name":"get_weather"}})",
       R"({"type":"tool","name":"get_weather"})"},
  };
  for (const Case& c : cases) {
    auto out = translate(std::string(R"({"messages":[{"role":"user","content":"x"}],)") +
                         R"("tools":[{"type":"function","function":{"name":"get_weather"}}],)" +
                         R"("tool_choice":)" + c.openai + "}");
    EXPECT_EQ(out.at("tool_choice"), json::parse(c.anthropic)) << c.openai;
  }
}

TEST(AnthropicRequestTest, ParallelToolCallsFalseDisablesParallelToolUse) {
  auto out = translate(R"({"messages":[{"role":"user","content":"x"}],
    "tools":[{"type":"function","function":{"name":"f"}}],"parallel_tool_calls":false})");
  EXPECT_EQ(out.at("tool_choice"),
            json::parse(R"({"type":"auto","disable_parallel_tool_use":true})"));
}

TEST(AnthropicRequestTest, ToolChoiceWithoutToolsIsDropped) {
  auto out = translate(R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"none"})");
  EXPECT_FALSE(out.contains("tool_choice"));
  EXPECT_FALSE(out.contains("tools"));
}

TEST(AnthropicRequestTest, InvalidInputNamesTheField) {
  struct Case {
    const char* request;
    const char* param;
  };
  const Case cases[] = {
      {R"({"model":"m"})", "messages"},
      {R"({"messages":"hello"})", "messages"},
      {R"({"messages":[]})", "messages"},
      {R"({"messages":[{"role":"system","content":"only a system prompt"}]})", "messages"},
      {R"({"messages":[{"content":"no role"}]})", "messages[0].role"},
      {R"({"messages":[{"role":"user","content":"a"},{"role":"wizard","content":"b"}]})",
       "messages[1].role"},
      {R"({"messages":["not an object"]})", "messages[0]"},
      {R"({"messages":[{"role":"user"}]})", "messages[0].content"},
      {R"({"messages":[{"role":"user","content":42}]})", "messages[0].content"},
      {R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]})",
       "messages[0].content[0].type"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]})",
       "messages[0].content[0].image_url.url"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,raw"}}]}]})",
       "messages[0].content[0].image_url.url"},
      {R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[
          {"id":"c1","type":"function","function":{"name":"f","arguments":"{not json"}}]}]})",
       "messages[1].tool_calls[0].function.arguments"},
      {R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[
          {"type":"function","function":{"name":"f","arguments":"{}"}}]}]})",
       "messages[1].tool_calls[0].id"},
      {R"({"messages":[{"role":"tool","content":"r"}]})", "messages[0].tool_call_id"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-5})", "max_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_completion_tokens":"9"})",
       "max_completion_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})", "temperature"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":5})", "stop"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":["ok",1]})", "stop[1]"},
      {R"({"messages":[{"role":"user","content":"x"}],"n":2})", "n"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})",
       "response_format"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"custom","custom":{}}]})",
       "tools[0].type"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"})",
       "tool_choice"},
      {R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})", "stream"},
  };
  for (const Case& c : cases) {
    Error error = translate_error(c.request);
    EXPECT_EQ(error.code, Errc::invalid_request) << c.request;
    EXPECT_EQ(error.param, c.param) << c.request;
    EXPECT_FALSE(error.message.empty()) << c.request;
  }
}

}  // namespace
}  // namespace sluice::gateway
