#include "mock/mock_anthropic.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "core/fnv1a.hpp"
#include "core/json_read.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

using core::string_field;

// The tool a request forces: {"type":"any"} picks the first tool, {"type":"tool","name":...}
// that one. Empty: answer with text, as a model may under {"type":"auto"}.
std::string forced_tool(const json::object& request) {
  const json::value* tools = request.if_contains("tools");
  const json::value* choice = request.if_contains("tool_choice");
  if (!tools || !tools->is_array() || tools->get_array().empty() || !choice || !choice->is_object())
    return {};
  const std::string_view type = string_field(choice->get_object(), "type");
  if (type == "tool") return std::string(string_field(choice->get_object(), "name"));
  if (type != "any") return {};
  const json::object* first = tools->get_array().front().if_object();
  return first ? std::string(string_field(*first, "name")) : std::string();
}

// Anthropic's ids for tool calls look like "toolu_01A09q90qw90lq917835lq9"; the mock keeps the
// OpenAI-shaped id's hash so that both mocks name a call alike.
std::string tool_use_id(std::string_view openai_id) {
  const auto underscore = openai_id.find('_');
  return "toolu_" +
         std::string(openai_id.substr(underscore == std::string_view::npos ? 0 : underscore + 1));
}

json::object tool_use_block(const MockToolCall& call, bool with_input) {
  json::object block{{"type", "tool_use"}, {"id", call.id}, {"name", call.name}};
  // Streams announce the block with an empty input and send the arguments as deltas.
  json::value input = json::object();
  boost::system::error_code ec;
  if (with_input) input = json::parse(call.arguments, ec);
  block["input"] = ec || !input.is_object() ? json::value(json::object()) : std::move(input);
  return block;
}

std::string_view stop_reason(const MockReply& reply) {
  return reply.tool_calls.empty() ? "end_turn" : "tool_use";
}

Error invalid(std::string message) { return make_error(Errc::invalid_request, std::move(message)); }

json::object usage_object(const MockReply& reply, long long output_tokens) {
  const long long hour = std::min(reply.cache_write_1h_tokens, reply.cache_write_tokens);
  return {{"input_tokens", reply.prompt_tokens},
          {"output_tokens", output_tokens},
          {"cache_read_input_tokens", reply.cached_tokens},
          {"cache_creation_input_tokens", reply.cache_write_tokens},
          {"cache_creation",
           {{"ephemeral_5m_input_tokens", reply.cache_write_tokens - hour},
            {"ephemeral_1h_input_tokens", hour}}}};
}

json::object message_object(const MockReply& reply, std::string_view model, std::string_view id,
                            json::array content, json::value stop, long long output_tokens) {
  return {{"id", id},
          {"type", "message"},
          {"role", "assistant"},
          {"model", model},
          {"content", std::move(content)},
          {"stop_reason", std::move(stop)},
          {"stop_sequence", nullptr},
          {"usage", usage_object(reply, output_tokens)}};
}

// Thinking is output too.
long long output_tokens(const MockReply& reply, const AnthropicExtras& extras) {
  return reply.completion_tokens + mock_tokens(extras.thinking.size());
}

std::string hex16(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 15];
  return out;
}

// A thinking block sent back must carry the signature the mock gave its text.
Status validate_thinking(const json::value& content, const std::string& at) {
  const json::array* blocks = content.if_array();
  if (!blocks) return {};
  for (std::size_t j = 0; j < blocks->size(); ++j) {
    const json::object* block = (*blocks)[j].if_object();
    if (!block || string_field(*block, "type") != "thinking") continue;
    const std::string block_at = at + ".content." + std::to_string(j);
    const json::value* signature = block->if_contains("signature");
    if (!signature || !signature->is_string())
      return invalid(block_at + ".signature: Field required");
    if (signature->get_string() != mock_thinking_signature(string_field(*block, "thinking")))
      return invalid(block_at + ": Invalid `signature` in `thinking` block");
  }
  return {};
}

// Where an item of the cacheable prefix stands.
enum class Breakpoint { none, default_ttl, one_hour };

// Feeds one item of the cacheable prefix (a tool, a system block, a content block) to `key`,
// counting its text as the prompt counts it (a block's text, else the whole item); whether it
// marks the end of a prefix (it has cache_control), and for how long.
Breakpoint feed_cache_item(const json::value& item, uint64_t& key, std::size_t& bytes) {
  const std::string serialized = json::serialize(item);
  key = core::fnv1a(serialized, key);
  const json::object* object = item.if_object();
  const json::value* text = object ? object->if_contains("text") : nullptr;
  bytes += text && text->is_string() ? text->get_string().size() : serialized.size();
  const json::value* control = object ? object->if_contains("cache_control") : nullptr;
  if (!control) return Breakpoint::none;
  const json::object* settings = control->if_object();
  return settings && string_field(*settings, "ttl") == "1h" ? Breakpoint::one_hour
                                                            : Breakpoint::default_ttl;
}

bool is_integer(const json::value& v) { return v.is_int64() || v.is_uint64(); }

bool has_content(const json::value& content) {
  if (const json::string* s = content.if_string()) return !s->empty();
  if (const json::array* a = content.if_array()) return !a->empty();
  return false;
}

Status validate_message(const json::value& value, std::size_t i, std::size_t count,
                        std::string_view previous_role) {
  const std::string at = "messages." + std::to_string(i);
  const json::object* message = value.if_object();
  if (!message) return invalid(at + ": Input should be a valid dictionary");
  const std::string_view role = string_field(*message, "role");
  if (role == "system")
    return invalid(
        "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` "
        "parameter, not \"system\" as an input message role.");
  if (role != "user" && role != "assistant")
    return invalid(at + ".role: Input should be 'user' or 'assistant'");
  const json::value* content = message->if_contains("content");
  if (!content) return invalid(at + ".content: Field required");
  if (!content->is_string() && !content->is_array())
    return invalid(at + ".content: Input should be a valid string or a valid list");
  if (!has_content(*content) && !(role == "assistant" && i + 1 == count))
    return invalid(at +
                   ": all messages must have non-empty content except for the optional final "
                   "assistant message");
  if (i == 0 && role != "user")
    return invalid("messages: first message must use the \"user\" role");
  if (role == "assistant")
    if (auto status = validate_thinking(*content, at); !status) return status;
  if (role == previous_role)
    return invalid(
        "messages: roles must alternate between \"user\" and \"assistant\", but found "
        "multiple \"" +
        std::string(role) + "\" roles in a row");
  return {};
}

}  // namespace

MockReply mock_anthropic_reply(const json::object& request, long long reply_tokens) {
  MockConversation conversation = read_mock_conversation(request);
  // Anthropic keeps the system prompt outside `messages`; count it as one more message.
  if (const json::value* system = request.if_contains("system")) {
    const std::string text = mock_content_text(*system);
    conversation.prompt_bytes += text.size();
    if (!text.empty()) ++conversation.message_count;
  }
  const std::size_t prompt_bytes = conversation.prompt_bytes;
  const long long message_count = conversation.message_count;
  MockReply reply = mock_reply_to(conversation.last_user, forced_tool(request), reply_tokens);
  for (MockToolCall& call : reply.tool_calls) call.id = tool_use_id(call.id);
  reply.prompt_tokens = mock_tokens(prompt_bytes) + 4 * message_count;
  return reply;
}

AnthropicExtras mock_anthropic_thinking(const json::object& request) {
  AnthropicExtras extras;
  const json::value* thinking = request.if_contains("thinking");
  const json::object* config = thinking ? thinking->if_object() : nullptr;
  const std::string_view type = config ? string_field(*config, "type") : std::string_view();
  if (type != "enabled" && type != "adaptive") return extras;
  const std::string last_user = read_mock_conversation(request).last_user;
  extras.thinking = "Mock thinking about: " + last_user.substr(0, 60) + ".";
  extras.signature = mock_thinking_signature(extras.thinking);
  return extras;
}

std::string mock_thinking_signature(std::string_view thinking) {
  // Base64-like, as Anthropic's are; what matters is that it depends on every byte.
  return "EqMock" + hex16(core::fnv1a(thinking, core::fnv1a("sluice-mock-thinking")));
}

std::optional<MockCachePrefix> mock_cache_prefix(const json::object& request,
                                                 long long prompt_tokens) {
  uint64_t key = core::kFnv1aOffsetBasis;
  std::size_t bytes = 0;
  std::optional<MockCachePrefix> prefix;
  long long tokens_1h = 0;
  auto feed = [&](const json::value& item) {
    const Breakpoint breakpoint = feed_cache_item(item, key, bytes);
    if (breakpoint == Breakpoint::none) return;
    const long long tokens = std::min(prompt_tokens, mock_tokens(bytes));
    if (breakpoint == Breakpoint::one_hour) tokens_1h = tokens;
    prefix = MockCachePrefix{key, tokens, tokens_1h};
  };
  if (const json::value* tools = request.if_contains("tools"); tools && tools->is_array())
    for (const json::value& tool : tools->get_array()) feed(tool);
  if (const json::value* system = request.if_contains("system"); system && system->is_array())
    for (const json::value& block : system->get_array()) feed(block);
  if (const json::value* messages = request.if_contains("messages");
      messages && messages->is_array())
    for (const json::value& message : messages->get_array())
      if (const json::object* m = message.if_object())
        if (const json::value* content = m->if_contains("content"); content && content->is_array())
          for (const json::value& block : content->get_array()) feed(block);
  return prefix;
}

MockReply with_prompt_cache(MockReply reply, const MockCachePrefix& prefix, bool cached_before) {
  const long long tokens = std::min(prefix.tokens, reply.prompt_tokens);
  reply.prompt_tokens -= tokens;
  if (cached_before) {
    reply.cached_tokens += tokens;
  } else {
    reply.cache_write_tokens += tokens;
    reply.cache_write_1h_tokens += std::min(prefix.tokens_1h, tokens);
  }
  return reply;
}

bool MockPromptCache::remember(uint64_t key) {
  std::lock_guard lock(mutex_);
  if (keys_.contains(key)) return true;
  if (keys_.size() >= kMaxEntries) keys_.clear();
  keys_.insert(key);
  return false;
}

std::string anthropic_message_json(const MockReply& reply, std::string_view model,
                                   std::string_view id, const AnthropicExtras& extras) {
  json::array content;
  if (!extras.thinking.empty())
    content.push_back(json::object{
        {"type", "thinking"}, {"thinking", extras.thinking}, {"signature", extras.signature}});
  if (reply.tool_calls.empty())
    content.push_back(json::object{{"type", "text"}, {"text", reply.content}});
  for (const MockToolCall& call : reply.tool_calls) content.push_back(tool_use_block(call, true));
  return json::serialize(message_object(reply, model, id, std::move(content),
                                        json::value(stop_reason(reply)),
                                        output_tokens(reply, extras)));
}

std::vector<AnthropicEvent> anthropic_stream_events(const MockReply& reply, std::string_view model,
                                                    std::string_view id, int chunk_count,
                                                    const AnthropicExtras& extras) {
  std::vector<AnthropicEvent> out;
  // Every event's data repeats its name as "type", first, as Anthropic sends it.
  auto emit = [&out](std::string_view name, json::object members) {
    json::object data{{"type", name}};
    for (auto& member : members) data.emplace(member.key(), std::move(member.value()));
    out.push_back({std::string(name), json::serialize(data)});
  };
  // Anthropic counts the first output token in message_start and the total in message_delta.
  const long long output = output_tokens(reply, extras);
  emit("message_start", {{"message", message_object(reply, model, id, json::array(), nullptr,
                                                    std::min(1LL, output))}});
  auto block_start = [&](std::size_t index, json::object block) {
    emit("content_block_start", {{"index", index}, {"content_block", std::move(block)}});
    if (index == 0) emit("ping", {});
  };
  auto block_delta = [&](std::size_t index, json::object delta) {
    emit("content_block_delta", {{"index", index}, {"delta", std::move(delta)}});
  };
  std::size_t index = 0;
  if (!extras.thinking.empty()) {
    block_start(index, {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}});
    for (std::string_view piece : mock_stream_pieces(extras.thinking, chunk_count))
      block_delta(index, {{"type", "thinking_delta"}, {"thinking", piece}});
    block_delta(index, {{"type", "signature_delta"}, {"signature", extras.signature}});
    emit("content_block_stop", {{"index", index}});
    ++index;
  }
  if (reply.tool_calls.empty()) {
    block_start(index, {{"type", "text"}, {"text", ""}});
    for (std::string_view piece : mock_stream_pieces(reply.content, chunk_count))
      block_delta(index, {{"type", "text_delta"}, {"text", piece}});
    emit("content_block_stop", {{"index", index}});
    ++index;
  }
  for (const MockToolCall& call : reply.tool_calls) {
    block_start(index, tool_use_block(call, false));
    block_delta(index, {{"type", "input_json_delta"}, {"partial_json", call.arguments}});
    emit("content_block_stop", {{"index", index}});
    ++index;
  }
  emit("message_delta",
       {{"delta", {{"stop_reason", stop_reason(reply)}, {"stop_sequence", nullptr}}},
        {"usage", {{"output_tokens", output}}}});
  emit("message_stop", {});
  return out;
}

std::string sse_frame(const AnthropicEvent& event) {
  std::string out;
  out.reserve(event.name.size() + event.data.size() + 16);
  out += "event: ";
  out += event.name;
  out += "\ndata: ";
  out += event.data;
  out += "\n\n";
  return out;
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string anthropic_error_json(std::string_view type, std::string_view message) {
  return json::serialize(
      json::object{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}});
}

std::string_view anthropic_api_key(std::string_view x_api_key, std::string_view authorization) {
  if (!x_api_key.empty()) return x_api_key;
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size()) return {};
  for (std::size_t i = 0; i < kBearer.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBearer[i]) return {};
  std::string_view token = authorization.substr(kBearer.size());
  while (token.starts_with(' ')) token.remove_prefix(1);
  return token;
}

Status validate_anthropic_headers(std::string_view api_key, std::string_view version) {
  if (api_key.empty()) return make_error(Errc::unauthorized, "x-api-key header is required");
  if (version.empty()) return invalid("anthropic-version: header is required");
  return {};
}

namespace {

Status validate_model(const json::object& request) {
  const json::value* model = request.if_contains("model");
  if (!model) return invalid("model: Field required");
  if (!model->is_string() || model->get_string().empty())
    return invalid("model: Input should be a valid string");
  return {};
}

Status validate_messages(const json::object& request) {
  const json::value* messages = request.if_contains("messages");
  if (!messages) return invalid("messages: Field required");
  if (!messages->is_array()) return invalid("messages: Input should be a valid list");
  const json::array& list = messages->get_array();
  if (list.empty()) return invalid("messages: at least one message is required");
  std::string_view previous_role;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (auto status = validate_message(list[i], i, list.size(), previous_role); !status)
      return status;
    previous_role = string_field(list[i].get_object(), "role");
  }
  return {};
}

}  // namespace

Status validate_anthropic_request(const json::object& request) {
  if (auto status = validate_model(request); !status) return status;
  const json::value* max_tokens = request.if_contains("max_tokens");
  if (!max_tokens) return invalid("max_tokens: Field required");
  if (!is_integer(*max_tokens)) return invalid("max_tokens: Input should be a valid integer");
  if (max_tokens->is_int64() && max_tokens->get_int64() < 1)
    return invalid("max_tokens: Input should be greater than or equal to 1");
  if (auto status = validate_messages(request); !status) return status;
  if (const json::value* stream = request.if_contains("stream"); stream && !stream->is_bool())
    return invalid("stream: Input should be a valid boolean");
  return {};
}

Status validate_anthropic_count_tokens_request(const json::object& request) {
  if (auto status = validate_model(request); !status) return status;
  return validate_messages(request);
}

std::string anthropic_count_tokens_json(const json::object& request) {
  return json::serialize(
      json::object{{"input_tokens", mock_anthropic_reply(request).prompt_tokens}});
}

}  // namespace sluice::gateway
