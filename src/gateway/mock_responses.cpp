#include "gateway/mock_responses.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/json_text.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

constexpr std::size_t kSnippetChars = 60;
constexpr int kDefaultDimensions = 16;
constexpr long long kMaxDimensions = 65536;
constexpr std::string_view kFingerprint = "fp_sluice_mock";
// Padding so that every reply streams in several chunks and counts a few dozen tokens.
constexpr std::string_view kPadding =
    " This is a deterministic answer from the Sluice mock provider: the same request always gets "
    "the same words, so tests and benchmarks can compare bytes and count tokens.";

uint64_t fnv1a(std::string_view data, uint64_t hash = 1469598103934665603ull) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

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

std::string_view string_member(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

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
        return std::string(string_member(fn->get_object(), "name"));
    return {};
  }
  if (const json::object* object = choice->if_object())
    if (const json::value* fn = object->if_contains("function"); fn && fn->is_object())
      return std::string(string_member(fn->get_object(), "name"));
  return {};
}

json::object usage_object(const MockReply& reply) {
  return {{"prompt_tokens", reply.prompt_tokens},
          {"completion_tokens", reply.completion_tokens},
          {"total_tokens", reply.prompt_tokens + reply.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", 0}}},
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

// "a string", "an array", ...: the phrasing of OpenAI's invalid_type messages.
std::string_view kind_phrase(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a decimal";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

Error invalid_type(const std::string& param, std::string_view expected, const json::value& got) {
  return make_error(Errc::invalid_request,
                    "Invalid type for '" + param + "': expected " + std::string(expected) +
                        ", but got " + std::string(kind_phrase(got)) + " instead.",
                    param, "invalid_type");
}

Error missing(const std::string& param) {
  return make_error(Errc::invalid_request, "Missing required parameter: '" + param + "'.", param,
                    "missing_required_parameter");
}

Status validate_model(const json::object& request) {
  const json::value* model = request.if_contains("model");
  if (!model || (model->is_string() && model->get_string().empty()))
    return make_error(Errc::invalid_request, "you must provide a model parameter", "model");
  if (!model->is_string()) return invalid_type("model", "a string", *model);
  return {};
}

bool is_integer(const json::value& v) { return v.is_int64() || v.is_uint64(); }

// One embeddings input: the bytes its vector is derived from, and its token count.
struct EmbeddingInput {
  std::string key;
  long long tokens = 0;
};

std::string token_key(const json::array& tokens) {
  std::string key;
  for (const json::value& t : tokens) {
    const uint64_t v = t.is_int64() ? static_cast<uint64_t>(t.get_int64()) : t.get_uint64();
    for (int i = 0; i < 8; ++i) key.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  return key;
}

bool all_integers(const json::array& a) {
  for (const json::value& v : a)
    if (!is_integer(v)) return false;
  return true;
}

// OpenAI accepts a string, an array of strings, one token array, or an array of token arrays.
// Empty when `input` is none of these (or holds an empty string or token array).
std::vector<EmbeddingInput> embedding_inputs(const json::value& input) {
  std::vector<EmbeddingInput> out;
  if (const json::string* s = input.if_string()) {
    if (!s->empty()) out.push_back({std::string(*s), mock_tokens(s->size())});
    return out;
  }
  const json::array* items = input.if_array();
  if (!items || items->empty()) return out;
  if (all_integers(*items)) {
    out.push_back({token_key(*items), static_cast<long long>(items->size())});
    return out;
  }
  for (const json::value& item : *items) {
    if (const json::string* s = item.if_string(); s && !s->empty()) {
      out.push_back({std::string(*s), mock_tokens(s->size())});
    } else if (const json::array* t = item.if_array(); t && !t->empty() && all_integers(*t)) {
      out.push_back({token_key(*t), static_cast<long long>(t->size())});
    } else {
      return {};
    }
  }
  return out;
}

std::vector<float> unit_vector(std::string_view key, int dimensions) {
  uint64_t state = fnv1a(key);
  std::vector<double> raw(static_cast<std::size_t>(dimensions));
  double norm = 0;
  for (double& x : raw) {
    x = static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
    norm += x * x;
  }
  norm = std::sqrt(norm);
  std::vector<float> out(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i)
    out[i] = norm > 0 ? static_cast<float>(raw[i] / norm) : (i == 0 ? 1.0f : 0.0f);
  return out;
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

int requested_dimensions(const json::object& request) {
  const json::value* d = request.if_contains("dimensions");
  if (!d || !is_integer(*d)) return kDefaultDimensions;
  const long long n = d->is_int64() ? d->get_int64() : static_cast<long long>(d->get_uint64());
  return n >= 1 && n <= kMaxDimensions ? static_cast<int>(n) : kDefaultDimensions;
}

}  // namespace

long long mock_tokens(std::size_t bytes) { return static_cast<long long>((bytes + 3) / 4); }

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
    call.id = "call_" + hex16(fnv1a(last_user, fnv1a(forced_tool)));
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
    if (string_member(*message, "role") == "user" && !text.empty())
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
std::string embeddings_json(const json::object& request, std::string_view model) {
  const int dimensions = requested_dimensions(request);
  const bool base64 = string_member(request, "encoding_format") == "base64";
  const json::value* input = request.if_contains("input");
  const auto inputs = input ? embedding_inputs(*input) : std::vector<EmbeddingInput>{};
  std::string out = R"({"object":"list","data":[)";
  long long tokens = 0;
  char number[32];
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    tokens += inputs[i].tokens;
    const auto vector = unit_vector(inputs[i].key, dimensions);
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

std::string models_json(const std::vector<std::string>& ids) {
  json::array data;
  for (const auto& id : ids)
    data.push_back(
        json::object{{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "sluice"}});
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

Status validate_chat_request(const json::object& request) {
  if (auto status = validate_model(request); !status) return status;
  const json::value* messages = request.if_contains("messages");
  if (!messages) return missing("messages");
  if (!messages->is_array()) return invalid_type("messages", "an array", *messages);
  const json::array& list = messages->get_array();
  if (list.empty())
    return make_error(Errc::invalid_request,
                      "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                      "but got an empty array instead.",
                      "messages", "empty_array");
  static constexpr std::string_view kRoles[] = {"system",    "developer", "user",
                                                "assistant", "tool",      "function"};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "messages[" + std::to_string(i) + "]";
    const json::object* message = list[i].if_object();
    if (!message) return invalid_type(at, "an object", list[i]);
    const json::value* role = message->if_contains("role");
    if (!role) return missing(at + ".role");
    if (!role->is_string()) return invalid_type(at + ".role", "a string", *role);
    bool known = false;
    for (std::string_view r : kRoles) known = known || role->get_string() == r;
    if (!known)
      return make_error(Errc::invalid_request,
                        "Invalid value: '" + std::string(role->get_string()) +
                            "'. Supported values are: 'system', 'developer', 'user', "
                            "'assistant', 'tool', and 'function'.",
                        at + ".role", "invalid_value");
  }
  if (const json::value* stream = request.if_contains("stream");
      stream && !stream->is_bool() && !stream->is_null())
    return invalid_type("stream", "a boolean", *stream);
  return {};
}

Status validate_embeddings_request(const json::object& request) {
  if (auto status = validate_model(request); !status) return status;
  const json::value* input = request.if_contains("input");
  if (!input) return missing("input");
  if (embedding_inputs(*input).empty())
    return make_error(Errc::invalid_request,
                      "'$.input' is invalid: expected a non-empty string, an array of non-empty "
                      "strings, or an array of non-empty token arrays.",
                      "input", "invalid_value");
  if (const json::value* d = request.if_contains("dimensions")) {
    const bool ok = (d->is_int64() && d->get_int64() >= 1 && d->get_int64() <= kMaxDimensions) ||
                    (d->is_uint64() && d->get_uint64() <= static_cast<uint64_t>(kMaxDimensions));
    if (!ok)
      return make_error(Errc::invalid_request,
                        "Invalid 'dimensions': expected an integer from 1 to " +
                            std::to_string(kMaxDimensions) + ".",
                        "dimensions", "invalid_value");
  }
  if (const json::value* f = request.if_contains("encoding_format")) {
    const std::string_view format = f->is_string() ? std::string_view(f->get_string()) : "";
    if (format != "float" && format != "base64")
      return make_error(Errc::invalid_request,
                        "Invalid 'encoding_format': expected 'float' or 'base64'.",
                        "encoding_format", "invalid_value");
  }
  return {};
}

}  // namespace sluice::gateway
