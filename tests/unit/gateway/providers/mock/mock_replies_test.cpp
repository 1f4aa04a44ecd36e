#include "gateway/providers/mock/mock_replies.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstring>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

json::object chat_request(std::string_view user_text = "What is the capital of France?") {
  json::object request{{"model", "gpt-test"}};
  request["messages"] = json::array{
      json::object{{"role", "system"}, {"content", "Be brief."}},
      json::object{{"role", "user"}, {"content", user_text}},
  };
  return request;
}

std::string_view str(const json::value& v) { return v.as_string(); }

TEST(MockRepliesTest, ReplyIsDeterministicAndQuotesTheLastUserMessage) {
  const auto a = mock_chat_reply(chat_request());
  const auto b = mock_chat_reply(chat_request());
  EXPECT_EQ(a.content, b.content);
  EXPECT_TRUE(a.content.starts_with("Mock reply to: What is the capital of France?"));
  EXPECT_EQ(a.finish_reason, "stop");
  EXPECT_TRUE(a.tool_calls.empty());
  EXPECT_GE(a.completion_tokens, 24);  // "a few dozen tokens" to stream in chunks
  EXPECT_NE(a.content, mock_chat_reply(chat_request("Something else")).content);
}

TEST(MockRepliesTest, ReplyQuotesAtMostSixtyCharactersWithoutSplittingUtf8) {
  std::string long_text;
  for (int i = 0; i < 70; ++i) long_text += "\xC3\xA9";  // 'é', two bytes each
  const auto reply = mock_chat_reply(chat_request(long_text));
  const std::string expected = "Mock reply to: " + long_text.substr(0, 120) + ".";
  EXPECT_TRUE(reply.content.starts_with(expected)) << reply.content;
}

TEST(MockRepliesTest, TokenArithmetic) {
  // "Be brief." is 9 bytes, "abcdefgh" 8: ceil(17 / 4) + 4 per message.
  const auto reply = mock_chat_reply(chat_request("abcdefgh"));
  EXPECT_EQ(reply.prompt_tokens, 5 + 2 * 4);
  EXPECT_EQ(reply.completion_tokens, static_cast<long long>((reply.content.size() + 3) / 4));
}

TEST(MockRepliesTest, ContentPartsCountAsText) {
  json::object request{{"model", "m"}};
  request["messages"] = json::array{json::object{
      {"role", "user"},
      {"content", json::array{json::object{{"type", "text"}, {"text", "abcd"}},
                              json::object{{"type", "image_url"}, {"image_url", "x"}}}}}};
  const auto reply = mock_chat_reply(request);
  EXPECT_EQ(reply.prompt_tokens, 1 + 4);
  EXPECT_TRUE(reply.content.starts_with("Mock reply to: abcd.")) << reply.content;
}

TEST(MockRepliesTest, NonStreamingShape) {
  const auto reply = mock_chat_reply(chat_request());
  const auto body = parse_object(chat_completion_json(reply, "gpt-test", "chatcmpl-1", 1700000000));
  EXPECT_EQ(str(body.at("id")), "chatcmpl-1");
  EXPECT_EQ(str(body.at("object")), "chat.completion");
  EXPECT_EQ(body.at("created").as_int64(), 1700000000);
  EXPECT_EQ(str(body.at("model")), "gpt-test");
  EXPECT_TRUE(body.at("system_fingerprint").is_string());
  const auto& choices = body.at("choices").as_array();
  ASSERT_EQ(choices.size(), 1u);
  const auto& choice = choices[0].as_object();
  EXPECT_EQ(choice.at("index").as_int64(), 0);
  EXPECT_TRUE(choice.at("logprobs").is_null());
  EXPECT_EQ(str(choice.at("finish_reason")), "stop");
  const auto& message = choice.at("message").as_object();
  EXPECT_EQ(str(message.at("role")), "assistant");
  EXPECT_EQ(str(message.at("content")), reply.content);
  EXPECT_TRUE(message.at("refusal").is_null());
  EXPECT_FALSE(message.contains("tool_calls"));
  const auto& usage = body.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").as_int64(), reply.prompt_tokens);
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), reply.completion_tokens);
  EXPECT_EQ(usage.at("total_tokens").as_int64(), reply.prompt_tokens + reply.completion_tokens);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), 0);
  EXPECT_EQ(usage.at("completion_tokens_details").at("reasoning_tokens").as_int64(), 0);
}

TEST(MockRepliesTest, StreamChunkSequenceWithoutUsage) {
  const auto reply = mock_chat_reply(chat_request());
  const auto chunks = chat_chunks_json(reply, "gpt-test", "chatcmpl-2", 42, 5, false);
  ASSERT_EQ(chunks.size(), 1u + 5u + 1u);  // role, 5 deltas, finish
  std::string text;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto chunk = parse_object(chunks[i]);
    EXPECT_EQ(str(chunk.at("id")), "chatcmpl-2");
    EXPECT_EQ(str(chunk.at("object")), "chat.completion.chunk");
    EXPECT_EQ(chunk.at("created").as_int64(), 42);
    EXPECT_EQ(str(chunk.at("model")), "gpt-test");
    EXPECT_FALSE(chunk.contains("usage")) << "no usage member at all without include_usage";
    const auto& choice = chunk.at("choices").as_array().at(0).as_object();
    const auto& delta = choice.at("delta").as_object();
    if (i == 0) {
      EXPECT_EQ(str(delta.at("role")), "assistant");
      EXPECT_EQ(str(delta.at("content")), "");
      EXPECT_TRUE(choice.at("finish_reason").is_null());
    } else if (i + 1 < chunks.size()) {
      EXPECT_FALSE(delta.contains("role"));
      EXPECT_FALSE(str(delta.at("content")).empty());
      text += str(delta.at("content"));
      EXPECT_TRUE(choice.at("finish_reason").is_null());
    } else {
      EXPECT_TRUE(delta.empty());
      EXPECT_EQ(str(choice.at("finish_reason")), "stop");
    }
  }
  EXPECT_EQ(text, reply.content);
}

TEST(MockRepliesTest, StreamWithIncludeUsageEndsWithUsageChunk) {
  const auto reply = mock_chat_reply(chat_request());
  const auto chunks = chat_chunks_json(reply, "gpt-test", "chatcmpl-3", 42, 3, true);
  ASSERT_EQ(chunks.size(), 1u + 3u + 1u + 1u);
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    const auto chunk = parse_object(chunks[i]);
    ASSERT_TRUE(chunk.contains("usage"));
    EXPECT_TRUE(chunk.at("usage").is_null());
  }
  const auto last = parse_object(chunks.back());
  EXPECT_TRUE(last.at("choices").as_array().empty());
  const auto& usage = last.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").as_int64(), reply.prompt_tokens);
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), reply.completion_tokens);
  EXPECT_EQ(usage.at("total_tokens").as_int64(), reply.prompt_tokens + reply.completion_tokens);
}

TEST(MockRepliesTest, ChunkCountIsClampedToTheText) {
  MockReply reply;
  reply.content = "h\xC3\xA9y";  // three code points
  const auto chunks = chat_chunks_json(reply, "m", "id", 0, 100, false);
  ASSERT_EQ(chunks.size(), 1u + 3u + 1u);
  EXPECT_EQ(str(parse_object(chunks[2]).at("choices").at(0).at("delta").at("content")), "\xC3\xA9");
  EXPECT_EQ(chat_chunks_json(reply, "m", "id", 0, 0, false).size(), 3u);  // at least one delta
}

TEST(MockRepliesTest, ToolCallWhenRequired) {
  auto request = chat_request();
  request["tools"] =
      json::array{json::object{{"type", "function"}, {"function", {{"name", "get_weather"}}}},
                  json::object{{"type", "function"}, {"function", {{"name", "get_time"}}}}};
  EXPECT_TRUE(mock_chat_reply(request).tool_calls.empty()) << "no tool_choice: text";
  request["tool_choice"] = "auto";
  EXPECT_TRUE(mock_chat_reply(request).tool_calls.empty());

  request["tool_choice"] = "required";
  const auto reply = mock_chat_reply(request);
  ASSERT_EQ(reply.tool_calls.size(), 1u);
  EXPECT_EQ(reply.tool_calls[0].name, "get_weather");
  EXPECT_EQ(reply.tool_calls[0].arguments, "{}");
  EXPECT_TRUE(reply.tool_calls[0].id.starts_with("call_"));
  EXPECT_EQ(reply.tool_calls[0].id, mock_chat_reply(request).tool_calls[0].id);
  EXPECT_EQ(reply.finish_reason, "tool_calls");

  request["tool_choice"] = json::object{{"type", "function"}, {"function", {{"name", "get_time"}}}};
  const auto named = mock_chat_reply(request);
  ASSERT_EQ(named.tool_calls.size(), 1u);
  EXPECT_EQ(named.tool_calls[0].name, "get_time");

  const auto body = parse_object(chat_completion_json(named, "m", "id", 0));
  const auto& choice = body.at("choices").at(0).as_object();
  EXPECT_EQ(str(choice.at("finish_reason")), "tool_calls");
  const auto& message = choice.at("message").as_object();
  EXPECT_TRUE(message.at("content").is_null());
  const auto& call = message.at("tool_calls").at(0).as_object();
  EXPECT_EQ(str(call.at("id")), named.tool_calls[0].id);
  EXPECT_EQ(str(call.at("type")), "function");
  EXPECT_EQ(str(call.at("function").at("name")), "get_time");
  EXPECT_EQ(str(call.at("function").at("arguments")), "{}");
}

TEST(MockRepliesTest, ToolCallStreamsIdFirstThenArguments) {
  auto request = chat_request();
  request["tools"] =
      json::array{json::object{{"type", "function"}, {"function", {{"name", "get_weather"}}}}};
  request["tool_choice"] = "required";
  const auto reply = mock_chat_reply(request);
  const auto chunks = chat_chunks_json(reply, "m", "id", 0, 8, false);
  ASSERT_EQ(chunks.size(), 3u);
  const auto first = parse_object(chunks[0]).at("choices").at(0).at("delta").as_object();
  EXPECT_EQ(str(first.at("role")), "assistant");
  const auto& call = first.at("tool_calls").at(0).as_object();
  EXPECT_EQ(call.at("index").as_int64(), 0);
  EXPECT_EQ(str(call.at("id")), reply.tool_calls[0].id);
  EXPECT_EQ(str(call.at("function").at("name")), "get_weather");
  const auto second = parse_object(chunks[1]).at("choices").at(0).at("delta").as_object();
  EXPECT_EQ(str(second.at("tool_calls").at(0).at("function").at("arguments")), "{}");
  EXPECT_EQ(str(parse_object(chunks[2]).at("choices").at(0).at("finish_reason")), "tool_calls");
}

double norm(const json::array& values) {
  double sum = 0;
  for (const auto& v : values) sum += v.to_number<double>() * v.to_number<double>();
  return std::sqrt(sum);
}

TEST(MockRepliesTest, EmbeddingsForStringsAreUnitVectorsOfTheRequestedSize) {
  const auto body = parse_object(embeddings_json(
      parse_object(R"({"model":"e","input":["hello","world","hello"],"dimensions":32})"), "e"));
  EXPECT_EQ(str(body.at("object")), "list");
  EXPECT_EQ(str(body.at("model")), "e");
  const auto& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 3u);
  for (std::size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(str(data[i].at("object")), "embedding");
    EXPECT_EQ(data[i].at("index").as_int64(), static_cast<long long>(i));
    const auto& values = data[i].at("embedding").as_array();
    EXPECT_EQ(values.size(), 32u);
    EXPECT_NEAR(norm(values), 1.0, 1e-5);
  }
  EXPECT_EQ(data[0].at("embedding"), data[2].at("embedding")) << "same input, same vector";
  EXPECT_NE(data[0].at("embedding"), data[1].at("embedding"));
  // ceil(5 / 4) tokens per input.
  EXPECT_EQ(body.at("usage").at("prompt_tokens").as_int64(), 6);
  EXPECT_EQ(body.at("usage").at("total_tokens").as_int64(), 6);
}

TEST(MockRepliesTest, EmbeddingsDefaultDimensionAndTokenArrays) {
  const auto single =
      parse_object(embeddings_json(parse_object(R"({"model":"e","input":"x"})"), "e"));
  EXPECT_EQ(single.at("data").at(0).at("embedding").as_array().size(), 16u);
  // mock-upstream's --embedding-dimensions sets the default; a request's `dimensions` still wins.
  const auto wider =
      parse_object(embeddings_json(parse_object(R"({"model":"e","input":"x"})"), "e", 384));
  EXPECT_EQ(wider.at("data").at(0).at("embedding").as_array().size(), 384u);
  const auto asked = parse_object(
      embeddings_json(parse_object(R"({"model":"e","input":"x","dimensions":8})"), "e", 384));
  EXPECT_EQ(asked.at("data").at(0).at("embedding").as_array().size(), 8u);
  const auto tokens =
      parse_object(embeddings_json(parse_object(R"({"model":"e","input":[[1,2,3],[4,5]]})"), "e"));
  EXPECT_EQ(tokens.at("data").as_array().size(), 2u);
  EXPECT_NE(tokens.at("data").at(0).at("embedding"), tokens.at("data").at(1).at("embedding"));
  EXPECT_EQ(tokens.at("usage").at("prompt_tokens").as_int64(), 5);
  const auto one_array =
      parse_object(embeddings_json(parse_object(R"({"model":"e","input":[1,2,3]})"), "e"));
  EXPECT_EQ(one_array.at("data").as_array().size(), 1u);
  EXPECT_EQ(one_array.at("usage").at("prompt_tokens").as_int64(), 3);
  // Token ids read as words: the same ids give the same vector as the first of the batch.
  EXPECT_EQ(one_array.at("data").at(0).at("embedding"), tokens.at("data").at(0).at("embedding"));
}

std::string decode_base64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

TEST(MockRepliesTest, EmbeddingsBase64IsLittleEndianFloat32) {
  const auto as_floats = parse_object(
      embeddings_json(parse_object(R"({"model":"e","input":"hello","dimensions":10})"), "e"));
  const auto as_base64 = parse_object(embeddings_json(
      parse_object(R"({"model":"e","input":"hello","dimensions":10,"encoding_format":"base64"})"),
      "e"));
  const std::string_view encoded = str(as_base64.at("data").at(0).at("embedding"));
  EXPECT_EQ(encoded.size(), 56u);  // 40 bytes -> ceil(40 / 3) * 4
  const std::string bytes = decode_base64(encoded);
  ASSERT_EQ(bytes.size(), 40u);
  const auto& values = as_floats.at("data").at(0).at("embedding").as_array();
  double sum = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    uint32_t word = 0;
    for (int b = 0; b < 4; ++b)
      word |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
    float f;
    std::memcpy(&f, &word, sizeof f);
    EXPECT_FLOAT_EQ(f, static_cast<float>(values[i].to_number<double>()));
    sum += static_cast<double>(f) * f;
  }
  EXPECT_NEAR(sum, 1.0, 1e-5);
}

}  // namespace
}  // namespace sluice::gateway
