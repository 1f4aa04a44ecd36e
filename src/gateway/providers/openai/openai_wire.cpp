#include "gateway/providers/openai/openai_wire.hpp"

#include <boost/json.hpp>
#include <cstring>

#include "core/json_overlay.hpp"
#include "core/json_validate.hpp"
#include "gateway/token_count.hpp"
#include "gateway/token_estimate.hpp"

namespace sluice::gateway {
namespace json = boost::json;

namespace {

// `body` with its model set to `upstream_model`: the text `raw` (what `body` was parsed from or
// serialized to) with that one value replaced when a scan places it, else `body` serialized with
// the new value. Neither copies the parsed body.
OutgoingBody with_model(std::string_view raw, const json::object& body,
                        std::string_view upstream_model) {
  if (auto spliced = OutgoingBody::with_model(raw, upstream_model)) return std::move(*spliced);
  return OutgoingBody::rebuilt(
      core::serialize_with_overrides(body, json::object{{"model", upstream_model}}, raw.size()));
}

}  // namespace

OutgoingBody upstream_chat_body(const ChatRequest& request, std::string_view upstream_model,
                                const BodyOptions& options) {
  const bool rename = options.set_model && request.model != upstream_model;
  const bool force_usage = request.stream && !request.include_usage;
  const bool edit = options.rules && options.rules->changes(upstream_model, *request.body);
  if (!rename && !force_usage && !edit) return OutgoingBody::as_is(request.raw_body);
  if (edit) {  // rules rename and drop members: on a copy
    json::object copy = *request.body;
    if (rename) copy["model"] = upstream_model;
    options.rules->apply(upstream_model, copy);
    if (force_usage) {
      json::value& stream_options = copy["stream_options"];
      if (!stream_options.is_object()) stream_options = json::object();
      stream_options.as_object()["include_usage"] = true;
    }
    return OutgoingBody::rebuilt(json::serialize(copy));
  }
  if (!force_usage) return with_model(request.raw_body, *request.body, upstream_model);
  json::object overrides;
  if (rename) overrides["model"] = upstream_model;
  const json::value* stream_options = request.body->if_contains("stream_options");
  json::value& forced = overrides["stream_options"];
  if (stream_options && stream_options->is_object()) forced = *stream_options;
  if (!forced.is_object()) forced = json::object();
  forced.as_object()["include_usage"] = true;
  return OutgoingBody::rebuilt(
      core::serialize_with_overrides(*request.body, overrides, request.raw_body.size()));
}

OutgoingBody upstream_embeddings_body(const EmbeddingsRequest& request,
                                      std::string_view upstream_model, const BodyOptions& options) {
  if (!options.set_model || request.model == upstream_model)
    return OutgoingBody::as_is(request.raw_body);
  return with_model(request.raw_body, *request.body, upstream_model);
}

std::string upstream_body_for_model(const json::object& body, std::string_view model,
                                    std::string_view upstream_model) {
  if (model == upstream_model) return {};
  return core::serialize_with_overrides(body, json::object{{"model", upstream_model}});
}

bool usage_requested(const json::object& chat_request) {
  const auto* options = chat_request.if_contains("stream_options");
  if (!options || !options->is_object()) return false;
  const auto* usage = options->as_object().if_contains("include_usage");
  return usage && usage->is_bool() && usage->as_bool();
}

bool read_usage(const json::object& object, Usage& usage) {
  const auto* found = object.if_contains("usage");
  if (!found || !found->is_object()) return false;
  const auto& u = found->as_object();
  auto number = [&](const json::object& o, std::string_view key) -> long long {
    const auto* v = o.if_contains(key);
    return v ? token_count(*v) : 0;
  };
  // Chat uses prompt/completion; embeddings only prompt (and total).
  usage.prompt_tokens = number(u, "prompt_tokens");
  usage.completion_tokens = number(u, "completion_tokens");
  if (const auto* details = u.if_contains("prompt_tokens_details");
      details && details->is_object()) {
    usage.cached_tokens = number(details->as_object(), "cached_tokens");
    // Not OpenAI's own: how the Anthropic translation (and OpenAI-compatible gateways) report
    // cache writes.
    usage.cache_write_tokens = number(details->as_object(), "cache_write_tokens");
  }
  usage.reported = true;
  usage.estimated = false;
  return true;
}

bool read_trailing_usage(std::string_view body, Usage& usage) {
  constexpr std::string_view kKey = "\"usage\"";
  const auto at = body.rfind(kKey);
  if (at == std::string_view::npos) return false;
  const auto open = body.find_first_not_of(" \t\r\n:", at + kKey.size());
  if (open == std::string_view::npos || body[open] != '{') return false;
  unsigned char initial[1024];
  json::monotonic_resource arena(initial, sizeof initial);
  json::parser parser;
  parser.reset(json::storage_ptr(&arena));
  json::error_code ec;
  parser.write_some(body.substr(open), ec);  // stops after the object: the rest is not read
  if (ec) return false;  // incomplete input is an error too: the parser expects no more
  json::object holder{json::storage_ptr(&arena)};
  holder["usage"] = parser.release();
  return read_usage(holder, usage);
}

std::size_t content_bytes(const json::object& object) {
  std::size_t total = 0;
  const auto* choices = object.if_contains("choices");
  if (!choices || !choices->is_array()) return 0;
  for (const auto& choice : choices->as_array()) {
    if (!choice.is_object()) continue;
    for (const char* key : {"message", "delta"}) {
      const auto* part = choice.as_object().if_contains(key);
      if (!part || !part->is_object()) continue;
      if (const auto* content = part->as_object().if_contains("content");
          content && content->is_string())
        total += content->as_string().size();
      if (const auto* calls = part->as_object().if_contains("tool_calls");
          calls && calls->is_array())
        total += json::serialize(*calls).size();
    }
  }
  return total;
}

namespace {

// Where the value of member `"key"` starts (after the colon and any spaces), or npos.
std::size_t value_after(std::string_view data, std::string_view quoted_key, std::size_t from) {
  const auto at = data.find(quoted_key, from);
  if (at == std::string_view::npos) return at;
  const auto colon = data.find_first_not_of(" \t\r\n", at + quoted_key.size());
  if (colon == std::string_view::npos || data[colon] != ':')
    return value_after(data, quoted_key, at + 1);
  return data.find_first_not_of(" \t\r\n", colon + 1);
}

// Whether some member `"key"` holds an object.
bool has_object_member(std::string_view data, std::string_view quoted_key) {
  for (auto v = value_after(data, quoted_key, 0); v != std::string_view::npos;
       v = value_after(data, quoted_key, v))
    if (data[v] == '{') return true;
  return false;
}

// Bytes of every string value of members `"key"` (escapes count as one byte).
std::size_t string_value_bytes(std::string_view data, std::string_view quoted_key) {
  std::size_t total = 0;
  for (auto v = value_after(data, quoted_key, 0); v != std::string_view::npos;
       v = value_after(data, quoted_key, v)) {
    if (data[v] != '"') continue;
    std::size_t i = v + 1;
    for (; i < data.size() && data[i] != '"'; ++i, ++total)
      if (data[i] == '\\') ++i;
    v = i;
  }
  return total;
}

}  // namespace

ChunkInfo inspect_chunk(std::string_view data, Usage& usage) {
  ChunkInfo info;
  // Most chunks carry a content delta and nothing the gateway needs: count their text with a
  // scan and leave the parse to the few with usage or an error.
  const auto first = data.find_first_not_of(" \t");
  const auto last = data.find_last_not_of(" \t");
  if (first == std::string_view::npos || data[first] != '{' || data[last] != '}') return info;
  if (!has_object_member(data, "\"usage\"") && data.find("\"error\"") == std::string_view::npos) {
    info.is_json = true;
    info.content_bytes =
        string_value_bytes(data, "\"content\"") + string_value_bytes(data, "\"arguments\"");
    return info;
  }
  unsigned char initial[1024];
  json::monotonic_resource arena(initial, sizeof initial);
  json::error_code ec;
  json::value chunk = json::parse(data, ec, json::storage_ptr(&arena));
  if (ec || !chunk.is_object()) return info;
  info.is_json = true;
  const auto& object = chunk.as_object();
  if (const auto* error = object.if_contains("error"); error && !error->is_null()) {
    info.is_error = true;
    return info;
  }
  const bool has_usage = read_usage(object, usage);
  const auto* choices = object.if_contains("choices");
  info.usage_only = has_usage && choices && choices->is_array() && choices->as_array().empty();
  info.content_bytes = content_bytes(object);
  return info;
}

bool inspect_response(std::string_view body, const json::object& request, Usage& usage) {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] != '{') return false;
  // Usage sits at the end, but a body cut or malformed anywhere before it must still fail.
  if (read_trailing_usage(body, usage)) return core::is_complete_json(body);
  unsigned char initial[4096];
  json::monotonic_resource arena(initial, sizeof initial);
  json::error_code ec;
  json::value parsed = json::parse(body, ec, json::storage_ptr(&arena));
  if (ec || !parsed.is_object()) return false;
  if (!read_usage(parsed.as_object(), usage)) {
    usage.prompt_tokens = estimate_request_prompt_tokens(request);
    usage.completion_tokens = estimate_tokens_from_bytes(content_bytes(parsed.as_object()));
    usage.estimated = true;
  }
  return true;
}

std::string_view finish_reason_in(std::string_view json) {
  static constexpr std::string_view kKey = "\"finish_reason\":";
  // Anchored on the key's underscore, found with memchr: rare in JSON, unlike the quotes that
  // a plain find restarts at.
  constexpr std::size_t kUnderscore = 7;  // its offset in kKey
  std::size_t at = std::string_view::npos;
  for (std::size_t from = kUnderscore; from < json.size();) {
    const void* hit = std::memchr(json.data() + from, '_', json.size() - from);
    if (hit == nullptr) break;
    const auto i = static_cast<std::size_t>(static_cast<const char*>(hit) - json.data());
    if (json.compare(i - kUnderscore, kKey.size(), kKey) == 0) {
      at = i - kUnderscore;
      break;
    }
    from = i + 1;
  }
  if (at == std::string_view::npos) return {};
  std::string_view rest = json.substr(at + kKey.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '"') return {};
  rest.remove_prefix(1);
  const auto end = rest.find('"');
  if (end == std::string_view::npos || end > 64) return {};
  return rest.substr(0, end);
}

long long estimate_request_prompt_tokens(const json::object& chat_request) {
  const auto* messages = chat_request.if_contains("messages");
  return messages && messages->is_array() ? estimate_prompt_tokens(messages->as_array()) : 0;
}

}  // namespace sluice::gateway
