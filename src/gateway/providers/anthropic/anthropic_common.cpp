#include "gateway/providers/anthropic/anthropic_common.hpp"

#include <boost/json.hpp>

#include "core/ids.hpp"

namespace sluice::gateway::anthropic {

namespace json = boost::json;

Error invalid(std::string param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param));
}

std::string indexed(std::string_view base, std::size_t i) {
  std::string out(base);
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

std::string member(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '.';
  out += key;
  return out;
}

const json::value* field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

bool is_string(const json::value* v, std::string_view s) {
  return v && v->is_string() && v->get_string() == s;
}

const json::object* object_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string_view finish_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return "length";
  }
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn
}

std::string completion_id(std::string_view anthropic_id) {
  std::string id = "chatcmpl-";
  if (anthropic_id.starts_with("msg_")) anthropic_id.remove_prefix(4);
  if (anthropic_id.empty()) {
    core::append_random_hex(id, 12);
  } else {
    id += anthropic_id;
  }
  return id;
}

json::object openai_usage(const AnthropicUsage& usage) {
  json::object out;
  out["prompt_tokens"] = usage.prompt_tokens();
  out["completion_tokens"] = usage.output_tokens;
  out["total_tokens"] = usage.prompt_tokens() + usage.output_tokens;
  json::object details{{"cached_tokens", usage.cache_read_input_tokens}};
  // Not a field of OpenAI's own (it reports no cache writes); the name OpenAI-compatible
  // gateways use for them, so that clients and this gateway can price them.
  if (usage.cache_writes() > 0) details["cache_write_tokens"] = usage.cache_writes();
  out["prompt_tokens_details"] = std::move(details);
  return out;
}

Error error_from_object(const json::object* error, int status) {
  std::string_view type, message;
  if (error) {
    if (auto* t = error->if_contains("type"); t && t->is_string()) type = t->get_string();
    if (auto* m = error->if_contains("message"); m && m->is_string()) message = m->get_string();
  }
  Errc code;
  if (type == "invalid_request_error") {
    code = Errc::invalid_request;
  } else if (type == "authentication_error") {
    code = Errc::unauthorized;
  } else if (type == "permission_error" || type == "billing_error") {
    code = Errc::forbidden;
  } else if (type == "not_found_error") {
    code = Errc::not_found;
  } else if (type == "request_too_large") {
    code = Errc::payload_too_large;
  } else if (type == "rate_limit_error") {
    code = Errc::rate_limited;
  } else if (type == "overloaded_error" || status == 529 || status == 503) {
    code = Errc::unavailable;
  } else if (type == "timeout_error" || status == 504) {
    code = Errc::gateway_timeout;
  } else if (type == "api_error" || status >= 500 || (status >= 200 && status < 300)) {
    // The upstream failed, not us: 502 rather than 500. A 2xx carrying an error is a stream error.
    code = Errc::bad_gateway;
  } else {
    code = errc_from_status(status);
  }
  std::string text(message);
  if (text.empty()) {
    text = "upstream error";
    if (status >= 300) text += " (HTTP " + std::to_string(status) + ")";
  }
  return make_error(code, std::move(text), {}, std::string(type));
}

}  // namespace sluice::gateway::anthropic
