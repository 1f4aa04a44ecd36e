// chat.completion -> Response object, and the pieces of a Response shared with the stream.
#include <boost/json.hpp>

#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/responses/responses_translate.hpp"
#include "gateway/token_count.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

// The request's value for `key`, or `fallback` when absent, null or there is no request.
json::value echo(const json::object* request, std::string_view key, json::value fallback) {
  if (request)
    if (const json::value* v = request->if_contains(key); v && !v->is_null()) return *v;
  return fallback;
}

json::object usage_object(long long input, long long cached, long long output,
                          long long reasoning) {
  return {{"input_tokens", input},
          {"input_tokens_details", {{"cached_tokens", cached}}},
          {"output_tokens", output},
          {"output_tokens_details", {{"reasoning_tokens", reasoning}}},
          {"total_tokens", input + output}};
}

Error not_a_completion() {
  return make_error(Errc::bad_gateway,
                    "the upstream answered with something other than a chat completion");
}

}  // namespace

json::object response_skeleton(std::string_view response_id, long long created,
                               std::string_view model, const json::object* request) {
  json::object reasoning{{"effort", nullptr}, {"summary", nullptr}};
  if (request)
    if (const json::value* r = request->if_contains("reasoning"); r && r->is_object())
      for (std::string_view key : {"effort", "summary"})
        if (const json::value* v = r->get_object().if_contains(key)) reasoning[key] = *v;
  return {{"id", response_id},
          {"object", "response"},
          {"created_at", created},
          {"status", "in_progress"},
          {"background", false},
          {"error", nullptr},
          {"incomplete_details", nullptr},
          {"instructions", echo(request, "instructions", nullptr)},
          {"max_output_tokens", echo(request, "max_output_tokens", nullptr)},
          {"model", model},
          {"output", json::array()},
          {"parallel_tool_calls", echo(request, "parallel_tool_calls", true)},
          {"previous_response_id", echo(request, "previous_response_id", nullptr)},
          {"reasoning", std::move(reasoning)},
          {"store", echo(request, "store", true)},
          {"temperature", echo(request, "temperature", 1.0)},
          {"text", echo(request, "text", json::object{{"format", {{"type", "text"}}}})},
          {"tool_choice", echo(request, "tool_choice", "auto")},
          {"tools", echo(request, "tools", json::array())},
          {"top_p", echo(request, "top_p", 1.0)},
          {"truncation", echo(request, "truncation", "disabled")},
          {"usage", nullptr},
          {"user", echo(request, "user", nullptr)},
          {"metadata", echo(request, "metadata", json::object())}};
}

json::value responses_usage_of(const json::object& chat_completion_or_chunk) {
  Usage usage;
  if (!read_usage(chat_completion_or_chunk, usage)) return nullptr;
  // Usage has no room for reasoning tokens: read them here.
  long long reasoning = 0;
  const json::object& chat_usage = chat_completion_or_chunk.at("usage").get_object();
  if (const json::value* details = chat_usage.if_contains("completion_tokens_details");
      details && details->is_object())
    if (const json::value* n = details->get_object().if_contains("reasoning_tokens"))
      reasoning = token_count(*n);
  return usage_object(usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens, reasoning);
}

json::object responses_usage(const Usage& usage) {
  return usage_object(usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens, 0);
}

std::string_view incomplete_reason(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_output_tokens";
  if (finish_reason == "content_filter") return "content_filter";
  return {};
}

json::object message_item(std::string_view id, std::string_view status, std::string_view text,
                          std::string_view refusal) {
  json::array content;
  if (!refusal.empty()) content.push_back(json::object{{"type", "refusal"}, {"refusal", refusal}});
  if (!text.empty() || refusal.empty())
    content.push_back(json::object{{"type", "output_text"},
                                   {"text", text},
                                   {"annotations", json::array()},
                                   {"logprobs", json::array()}});
  return {{"id", id},
          {"type", "message"},
          {"status", status},
          {"role", "assistant"},
          {"content", std::move(content)}};
}

json::object function_call_item(std::string_view id, std::string_view status,
                                std::string_view call_id, std::string_view name,
                                std::string_view arguments) {
  return {{"id", id},     {"type", "function_call"}, {"status", status}, {"call_id", call_id},
          {"name", name}, {"arguments", arguments}};
}

std::string_view response_id_suffix(std::string_view response_id) {
  constexpr std::string_view kPrefix = "resp_";
  if (response_id.starts_with(kPrefix)) response_id.remove_prefix(kPrefix.size());
  return response_id;
}

Result<json::object> response_from_chat(std::string_view chat_completion_json,
                                        std::string_view response_id, long long created,
                                        const json::object* request, const Usage* fallback_usage) {
  json::error_code ec;
  const json::value parsed = json::parse(chat_completion_json, ec);
  const json::object* chat = ec ? nullptr : parsed.if_object();
  const json::value* choices = chat ? chat->if_contains("choices") : nullptr;
  if (!choices || !choices->is_array() || choices->get_array().empty()) return not_a_completion();
  const json::object* choice = choices->get_array().front().if_object();
  const json::value* message_value = choice ? choice->if_contains("message") : nullptr;
  if (!message_value || !message_value->is_object()) return not_a_completion();
  const json::object& message = message_value->get_object();

  const std::string_view reason = incomplete_reason(string_field(*choice, "finish_reason"));
  const std::string_view item_status = reason.empty() ? "completed" : "incomplete";
  const std::string suffix(response_id_suffix(response_id));
  json::array output;
  const std::string_view text = string_field(message, "content");
  const std::string_view refusal = string_field(message, "refusal");
  const json::value* calls = message.if_contains("tool_calls");
  const bool has_calls = calls && calls->is_array() && !calls->get_array().empty();
  if (!text.empty() || !refusal.empty() || !has_calls)
    output.push_back(message_item("msg_" + suffix, item_status, text, refusal));
  if (has_calls) {
    const json::array& list = calls->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json::object* call = list[i].if_object();
      if (!call) continue;
      const json::value* fn = call->if_contains("function");
      const json::object empty;
      const json::object& function = fn && fn->is_object() ? fn->get_object() : empty;
      output.push_back(function_call_item("fc_" + suffix + "_" + std::to_string(i), item_status,
                                          string_field(*call, "id"), string_field(function, "name"),
                                          string_field(function, "arguments")));
    }
  }

  json::object response =
      response_skeleton(response_id, created, string_field(*chat, "model"), request);
  response["status"] = reason.empty() ? "completed" : "incomplete";
  if (!reason.empty()) response["incomplete_details"] = {{"reason", reason}};
  response["output"] = std::move(output);
  response["usage"] = responses_usage_of(*chat);
  if (response["usage"].is_null() && fallback_usage)
    response["usage"] = responses_usage(*fallback_usage);
  return response;
}

Result<std::string> responses_json_from_chat(std::string_view chat_completion_json,
                                             std::string_view response_id, long long created,
                                             const json::object* request,
                                             const Usage* fallback_usage) {
  auto response =
      response_from_chat(chat_completion_json, response_id, created, request, fallback_usage);
  if (!response) return response.error();
  return json::serialize(*response);
}

}  // namespace sluice::gateway
