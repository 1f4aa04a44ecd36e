#include "gateway/providers/mock/mock_replies.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "core/fnv1a.hpp"
#include "core/json_read.hpp"
#include "core/json_text.hpp"
#include "gateway/providers/mock/mock_embedding.hpp"
#include "gateway/providers/request_validation.hpp"
#include "gateway/token_estimate.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

constexpr std::size_t kSnippetChars = 60;
constexpr std::string_view kFingerprint = "fp_sluice_mock";
// Padding so that every reply streams in several chunks and counts a few dozen tokens.
constexpr std::string_view kPadding =
    " This is a deterministic answer from the Sluice mock provider: the same request always gets "
    "the same words, so tests and benchmarks can compare bytes and count tokens.";

std::string hex16(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 15];
  return out;
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte offsets where each code point starts, so splits never cut a UTF-8 sequence.
std::vector<std::size_t> code_point_starts(std::string_view text) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!is_utf8_continuation(text[i])) starts.push_back(i);
  return starts;
}

using core::string_field;

// The function a request forces: tool_choice "required" picks the first tool, an object
// {"type":"function","function":{"name":...}} picks that one. Empty: answer with text.
std::string forced_tool(const json::object& request) {
  const json::value* tools = request.if_contains("tools");
  if (!tools || !tools->is_array() || tools->get_array().empty()) return {};
  const json::value* choice = request.if_contains("tool_choice");
  if (!choice) return {};
  if (choice->is_string() && choice->get_string() == "required") {
    const json::value& first = tools->get_array().front();
    if (const json::object* tool = first.if_object())
      if (const json::value* fn = tool->if_contains("function"); fn && fn->is_object())
        return std::string(string_field(fn->get_object(), "name"));
    return {};
  }
  if (const json::object* object = choice->if_object())
    if (const json::value* fn = object->if_contains("function"); fn && fn->is_object())
      return std::string(string_field(fn->get_object(), "name"));
  return {};
}

json::object usage_object(const MockReply& reply) {
  const long long prompt = reply.prompt_tokens + reply.cached_tokens;
  return {{"prompt_tokens", prompt},
          {"completion_tokens", reply.completion_tokens},
          {"total_tokens", prompt + reply.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", reply.cached_tokens}}},
          {"completion_tokens_details", {{"reasoning_tokens", 0}}}};
}

json::array tool_calls_array(const MockReply& reply, bool with_index, bool with_arguments) {
  json::array calls;
  for (std::size_t i = 0; i < reply.tool_calls.size(); ++i) {
    const MockToolCall& call = reply.tool_calls[i];
    json::object entry;
    if (with_index) entry["index"] = i;
    entry["id"] = call.id;
    entry["type"] = "function";
    entry["function"] = {{"name", call.name},
                         {"arguments", with_arguments ? call.arguments : std::string()}};
    calls.push_back(std::move(entry));
  }
  return calls;
}

std::string base64_floats(const std::vector<float>& values) {
  std::string bytes;
  bytes.reserve(values.size() * 4);
  for (float f : values) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j)
      group = (group << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    for (std::size_t j = 0; j < 4; ++j)
      out.push_back(j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 63] : '=');
  }
  return out;
}

bool is_integer(const json::value& v) { return v.is_int64() || v.is_uint64(); }

int requested_dimensions(const json::object& request, int fallback) {
  const json::value* d = request.if_contains("dimensions");
  if (!d || !is_integer(*d)) return fallback;
  const long long n = d->is_int64() ? d->get_int64() : static_cast<long long>(d->get_uint64());
  return n >= 1 && n <= kMaxEmbeddingDimensions ? static_cast<int>(n) : fallback;
}

}  // namespace

long long mock_tokens(std::size_t bytes) { return estimate_tokens_from_bytes(bytes); }

std::string mock_content_text(const json::value& content) {
  if (const json::string* s = content.if_string()) return std::string(*s);
  std::string text;
  if (const json::array* parts = content.if_array())
    for (const json::value& part : *parts)
      if (const json::object* p = part.if_object())
        if (const json::value* t = p->if_contains("text"); t && t->is_string())
          text.append(t->get_string());
  return text;
}

MockReply mock_reply_to(std::string_view last_user, std::string forced_tool,
                        long long reply_tokens) {
  MockReply reply;
  if (!forced_tool.empty()) {
    MockToolCall call;
    call.id = "call_" + hex16(core::fnv1a(last_user, core::fnv1a(forced_tool, kMockHashBasis)));
    call.name = std::move(forced_tool);
    call.arguments = "{}";
    reply.completion_tokens = std::max(1LL, mock_tokens(call.name.size() + call.arguments.size()));
    reply.tool_calls.push_back(std::move(call));
    reply.finish_reason = "tool_calls";
    return reply;
  }

  const auto starts = code_point_starts(last_user);
  std::string_view snippet = last_user;
  if (starts.size() > kSnippetChars) snippet = snippet.substr(0, starts[kSnippetChars]);
  reply.content = "Mock reply to: ";
  reply.content += snippet.empty() ? std::string_view("(no user message)") : snippet;
  reply.content += '.';
  reply.content += kPadding;
  // Long answers on demand (streaming benchmarks, slow-reader tests), bounded at 16 MiB.
  constexpr std::size_t kMaxReplyBytes = 16u << 20;
  while (mock_tokens(reply.content.size()) < reply_tokens && reply.content.size() < kMaxReplyBytes)
    reply.content += kPadding;
  reply.completion_tokens = mock_tokens(reply.content.size());
  return reply;
}

MockConversation read_mock_conversation(const json::object& request) {
  MockConversation conversation;
  const json::value* messages = request.if_contains("messages");
  if (!messages || !messages->is_array()) return conversation;
  for (const json::value& m : messages->get_array()) {
    const json::object* message = m.if_object();
    if (!message) continue;
    ++conversation.message_count;
    const json::value* content = message->if_contains("content");
    std::string text = content ? mock_content_text(*content) : std::string();
    conversation.prompt_bytes += text.size();
    if (string_field(*message, "role") == "user" && !text.empty())
      conversation.last_user = std::move(text);
  }
  return conversation;
}

MockReply mock_chat_reply(const json::object& request, long long reply_tokens) {
  const MockConversation conversation = read_mock_conversation(request);
  MockReply reply = mock_reply_to(conversation.last_user, forced_tool(request), reply_tokens);
  reply.prompt_tokens = mock_tokens(conversation.prompt_bytes) + 4 * conversation.message_count;
  return reply;
}

std::vector<std::string_view> mock_stream_pieces(std::string_view text, int chunk_count) {
  const auto starts = code_point_starts(text);
  const std::size_t pieces =
      std::min<std::size_t>(starts.size(), static_cast<std::size_t>(std::max(1, chunk_count)));
  std::vector<std::string_view> out;
  out.reserve(pieces);
  for (std::size_t i = 0; i < pieces; ++i) {
    const std::size_t begin = starts[i * starts.size() / pieces];
    const std::size_t end =
        i + 1 == pieces ? text.size() : starts[(i + 1) * starts.size() / pieces];
    out.push_back(text.substr(begin, end - begin));
  }
  return out;
}

std::string chat_completion_json(const MockReply& reply, std::string_view model,
                                 std::string_view id, long long created) {
  json::object message{{"role", "assistant"}};
  if (reply.tool_calls.empty())
    message["content"] = reply.content;
  else
    message["content"] = nullptr;
  message["refusal"] = nullptr;
  if (!reply.tool_calls.empty()) message["tool_calls"] = tool_calls_array(reply, false, true);
  json::object choice{{"index", 0},
                      {"message", std::move(message)},
                      {"logprobs", nullptr},
                      {"finish_reason", reply.finish_reason}};
  json::object body{{"id", id},
                    {"object", "chat.completion"},
                    {"created", created},
                    {"model", model},
                    {"choices", json::array{std::move(choice)}},
                    {"usage", usage_object(reply)},
                    {"system_fingerprint", kFingerprint}};
  return json::serialize(body);
}

std::vector<std::string> chat_chunks_json(const MockReply& reply, std::string_view model,
                                          std::string_view id, long long created, int chunk_count,
                                          bool include_usage) {
  std::vector<std::string> out;
  auto emit = [&](json::value delta, json::value finish_reason) {
    json::object choice{{"index", 0},
                        {"delta", std::move(delta)},
                        {"logprobs", nullptr},
                        {"finish_reason", std::move(finish_reason)}};
    json::object chunk{{"id", id},
                       {"object", "chat.completion.chunk"},
                       {"created", created},
                       {"model", model},
                       {"system_fingerprint", kFingerprint},
                       {"choices", json::array{std::move(choice)}}};
    if (include_usage) chunk["usage"] = nullptr;
    out.push_back(json::serialize(chunk));
  };

  if (reply.tool_calls.empty()) {
    emit(json::object{{"role", "assistant"}, {"content", ""}}, nullptr);
    for (std::string_view piece : mock_stream_pieces(reply.content, chunk_count))
      emit(json::object{{"content", piece}}, nullptr);
  } else {
    // As OpenAI streams tool calls: ids and names first, then the arguments as deltas.
    emit(json::object{{"role", "assistant"},
                      {"content", nullptr},
                      {"tool_calls", tool_calls_array(reply, true, false)}},
         nullptr);
    for (std::size_t i = 0; i < reply.tool_calls.size(); ++i)
      emit(json::object{{"tool_calls",
                         json::array{json::object{
                             {"index", i},
                             {"function", {{"arguments", reply.tool_calls[i].arguments}}}}}}},
           nullptr);
  }
  emit(json::object{}, json::value(reply.finish_reason));

  if (include_usage) {
    json::object last{{"id", id},
                      {"object", "chat.completion.chunk"},
                      {"created", created},
                      {"model", model},
                      {"system_fingerprint", kFingerprint},
                      {"choices", json::array{}},
                      {"usage", usage_object(reply)}};
    out.push_back(json::serialize(last));
  }
  return out;
}

// Written by hand rather than through json::value: float32 values print in their shortest form
// ("-0.30146396", as OpenAI's do) instead of as doubles in exponent notation, and large batches
// skip building a DOM.
std::string embeddings_json(const json::object& request, std::string_view model,
                            int default_dimensions) {
  const int dimensions = requested_dimensions(request, default_dimensions);
  const bool base64 = string_field(request, "encoding_format") == "base64";
  const json::value* input = request.if_contains("input");
  const auto inputs = input ? embedding_inputs(*input) : std::vector<EmbeddingInput>{};
  std::string out = R"({"object":"list","data":[)";
  long long tokens = 0;
  char number[32];
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    tokens += inputs[i].tokens;
    const auto vector = mock_embedding(inputs[i].key, dimensions);
    if (i > 0) out += ',';
    out += R"({"object":"embedding","index":)";
    out += std::to_string(i);
    out += R"(,"embedding":)";
    if (base64) {
      out += '"';
      out += base64_floats(vector);
      out += '"';
    } else {
      out += '[';
      for (std::size_t j = 0; j < vector.size(); ++j) {
        if (j > 0) out += ',';
        const auto result = std::to_chars(number, number + sizeof number, vector[j]);
        out.append(number, result.ptr);
      }
      out += ']';
    }
    out += '}';
  }
  out += R"(],"model":)";
  core::append_json_string(out, model);
  out += R"(,"usage":{"prompt_tokens":)";
  out += std::to_string(tokens);
  out += R"(,"total_tokens":)";
  out += std::to_string(tokens);
  out += "}}";
  return out;
}

}  // namespace sluice::gateway
