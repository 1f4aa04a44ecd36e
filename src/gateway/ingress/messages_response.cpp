// chat.completion -> Messages response; errors in Anthropic's shape.
#include <boost/json.hpp>

#include "core/json_read.hpp"
#include "gateway/ingress/messages_translate.hpp"
#include "gateway/providers/openai/openai_wire.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

using core::string_field;

// A tool call's arguments as the input object Anthropic's clients expect; arguments that are not
// a JSON object (a model may write anything) are kept under "arguments".
json::value tool_input(std::string_view arguments) {
  if (arguments.empty()) return json::object();
  json::error_code ec;
  json::value parsed = json::parse(arguments, ec);
  if (!ec && parsed.is_object()) return parsed;
  return json::object{{"arguments", arguments}};
}

Usage usage_of(const json::object& completion) {
  Usage usage;
  read_usage(completion, usage);
  return usage;
}

std::string_view error_type(Errc code) {
  switch (code) {
    case Errc::invalid_request:
    case Errc::method_not_allowed:
    case Errc::conflict:
    case Errc::unprocessable:
    case Errc::headers_too_large:
      return "invalid_request_error";
    case Errc::unauthorized:
      return "authentication_error";
    case Errc::forbidden:
      return "permission_error";
    case Errc::not_found:
      return "not_found_error";
    case Errc::payload_too_large:
      return "request_too_large";
    case Errc::rate_limited:
      return "rate_limit_error";
    case Errc::unavailable:
      return "overloaded_error";
    case Errc::request_timeout:
    case Errc::gateway_timeout:
      return "timeout_error";
    case Errc::internal:
    case Errc::bad_gateway:
      return "api_error";
  }
  return "api_error";
}

}  // namespace

std::string_view stop_reason_of(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return "end_turn";
}

json::object anthropic_usage(const Usage& usage) {
  const Usage::PromptParts prompt = usage.prompt_parts();
  return {{"input_tokens", prompt.uncached},
          {"cache_creation_input_tokens", prompt.cache_writes()},
          {"cache_read_input_tokens", prompt.cache_read},
          {"output_tokens", usage.completion_tokens}};
}

Result<std::string> message_from_chat(std::string_view chat_completion_json,
                                      std::string_view message_id, std::string_view model,
                                      const Usage* fallback_usage) {
  json::error_code ec;
  const json::value parsed = json::parse(chat_completion_json, ec);
  const json::object* completion = ec ? nullptr : parsed.if_object();
  const json::value* choices = completion ? completion->if_contains("choices") : nullptr;
  if (!choices || !choices->is_array() || choices->get_array().empty() ||
      !choices->get_array().front().is_object())
    return make_error(Errc::bad_gateway, "the upstream's answer is not a chat completion");
  const json::object& choice = choices->get_array().front().get_object();
  json::array content;
  if (const json::value* message = choice.if_contains("message"); message && message->is_object()) {
    const json::object& m = message->get_object();
    if (const std::string_view text = string_field(m, "content"); !text.empty())
      content.push_back(json::object{{"type", "text"}, {"text", text}});
    if (const json::value* calls = m.if_contains("tool_calls"); calls && calls->is_array())
      for (const json::value& call : calls->get_array()) {
        if (!call.is_object()) continue;
        const json::object* function = call.get_object().if_contains("function") &&
                                               call.get_object().at("function").is_object()
                                           ? &call.get_object().at("function").get_object()
                                           : nullptr;
        if (!function) continue;
        content.push_back(
            json::object{{"type", "tool_use"},
                         {"id", string_field(call.get_object(), "id")},
                         {"name", string_field(*function, "name")},
                         {"input", tool_input(string_field(*function, "arguments"))}});
      }
  }
  Usage usage = usage_of(*completion);
  if (!usage.reported && fallback_usage) usage = *fallback_usage;
  const std::string_view answered_model = string_field(*completion, "model");
  json::object out{{"id", message_id},
                   {"type", "message"},
                   {"role", "assistant"},
                   {"model", answered_model.empty() ? model : answered_model},
                   {"content", std::move(content)},
                   {"stop_reason", stop_reason_of(string_field(choice, "finish_reason"))},
                   {"stop_sequence", nullptr},
                   {"usage", anthropic_usage(usage)}};
  return json::serialize(out);
}

AnthropicError anthropic_error(const Error& error, std::string_view request_id) {
  const int status = error.code == Errc::unavailable ? 529 : http_status(error.code);
  json::object body{{"type", "error"},
                    {"error", {{"type", error_type(error.code)}, {"message", error.message}}}};
  if (!request_id.empty()) body["request_id"] = request_id;
  return {status, json::serialize(body)};
}

AnthropicError anthropic_error_from_openai(int status, std::string_view openai_body,
                                           std::string_view request_id) {
  Error error{errc_from_status(status), {}, {}, {}};
  json::error_code ec;
  const json::value parsed = json::parse(openai_body, ec);
  if (!ec && parsed.is_object())
    if (const json::value* e = parsed.get_object().if_contains("error"); e && e->is_object())
      error.message = string_field(e->get_object(), "message");
  if (error.message.empty()) error.message = "request failed with status " + std::to_string(status);
  AnthropicError out = anthropic_error(error, request_id);
  // A status of ours that Anthropic's errors have no kind for keeps its number.
  if (error.code != Errc::unavailable) out.status = status;
  return out;
}

}  // namespace sluice::gateway
