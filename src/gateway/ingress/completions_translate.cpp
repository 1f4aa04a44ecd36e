#include "gateway/ingress/completions_translate.hpp"

#include <boost/json.hpp>

#include "core/json_read.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

using core::string_field;

Error invalid(std::string param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param));
}

const json::value* field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

Result<std::string> prompt_text(const json::value* prompt) {
  if (!prompt) return invalid("prompt", "'prompt' is required");
  if (prompt->is_string()) return std::string(prompt->get_string());
  if (prompt->is_array()) {
    const json::array& prompts = prompt->get_array();
    if (prompts.size() == 1 && prompts[0].is_string()) return std::string(prompts[0].get_string());
    if (!prompts.empty() && !prompts[0].is_string())
      return invalid("prompt", "token-id prompts cannot be translated; send the prompt as text");
    if (prompts.size() > 1)
      return invalid("prompt", "send one prompt per request (several are not supported)");
  }
  return invalid("prompt", "'prompt' must be a string");
}

// The text_completion skeleton every answer and chunk shares.
json::object skeleton(std::string_view id, long long created, std::string_view model) {
  return {{"id", id}, {"object", "text_completion"}, {"created", created}, {"model", model}};
}

}  // namespace

Result<json::object> chat_request_from_completions(const json::object& request) {
  json::object chat;
  const std::string_view model = string_field(request, "model");
  if (model.empty()) return invalid("model", "'model' is required");
  chat["model"] = model;
  auto prompt = prompt_text(field(request, "prompt"));
  if (!prompt) return prompt.error();
  chat["messages"] = json::array{json::object{{"role", "user"}, {"content", std::move(*prompt)}}};

  if (const json::value* echo = field(request, "echo"); echo && echo->is_bool() && echo->get_bool())
    return invalid("echo", "'echo' is not supported by this gateway's providers");
  if (const json::value* suffix = field(request, "suffix");
      suffix && suffix->is_string() && !suffix->get_string().empty())
    return invalid("suffix", "'suffix' is not supported by this gateway's providers");
  if (field(request, "logprobs"))
    return invalid("logprobs", "'logprobs' is not supported by this gateway's providers");
  if (const json::value* best_of = field(request, "best_of")) {
    const bool whole = best_of->is_int64() || best_of->is_uint64();
    if (!whole || (best_of->is_int64() && best_of->get_int64() < 1))
      return invalid("best_of", "Invalid 'best_of': expected a whole number of at least 1");
    if (!(best_of->is_int64() && best_of->get_int64() == 1))
      return invalid("best_of", "'best_of' above 1 is not supported by this gateway's providers");
  }

  const json::value* max_tokens = field(request, "max_tokens");
  chat["max_tokens"] = max_tokens ? *max_tokens : json::value(16);  // OpenAI's default
  for (std::string_view key : {"temperature", "top_p", "n", "stop", "presence_penalty",
                               "frequency_penalty", "seed", "logit_bias", "user"})
    if (const json::value* v = field(request, key)) chat[key] = *v;
  if (const json::value* stream = field(request, "stream")) {
    if (!stream->is_bool()) return invalid("stream", "'stream' must be a boolean");
    if (stream->get_bool()) {
      chat["stream"] = true;
      chat["stream_options"] = {{"include_usage", true}};  // the gateway counts usage either way
    }
  }
  return chat;
}

Result<std::string> completion_from_chat(std::string_view chat_completion_json,
                                         std::string_view completion_id, long long created,
                                         std::string_view model, const Usage* fallback_usage) {
  json::error_code ec;
  const json::value parsed = json::parse(chat_completion_json, ec);
  const json::object* completion = ec ? nullptr : parsed.if_object();
  const json::value* choices = completion ? completion->if_contains("choices") : nullptr;
  if (!choices || !choices->is_array())
    return make_error(Errc::bad_gateway, "the upstream's answer is not a chat completion");
  json::array out_choices;
  std::int64_t position = 0;
  for (const json::value& value : choices->get_array()) {
    const json::object* choice = value.if_object();
    if (!choice) continue;
    std::string_view text;
    if (const json::value* message = choice->if_contains("message");
        message && message->is_object())
      text = string_field(message->get_object(), "content");
    const json::value* index = choice->if_contains("index");
    out_choices.push_back(
        json::object{{"text", text},
                     {"index", index && index->is_int64() ? index->get_int64() : position},
                     {"logprobs", nullptr},
                     {"finish_reason", string_field(*choice, "finish_reason")}});
    ++position;
  }
  const std::string_view answered = string_field(*completion, "model");
  json::object out = skeleton(completion_id, created, answered.empty() ? model : answered);
  out["choices"] = std::move(out_choices);
  if (const json::value* usage = completion->if_contains("usage"); usage && usage->is_object()) {
    out["usage"] = *usage;
  } else if (fallback_usage) {
    out["usage"] = {
        {"prompt_tokens", fallback_usage->prompt_tokens},
        {"completion_tokens", fallback_usage->completion_tokens},
        {"total_tokens", fallback_usage->prompt_tokens + fallback_usage->completion_tokens}};
  }
  return json::serialize(out);
}

std::string completion_chunk_from_chat(std::string_view chunk_json, std::string_view completion_id,
                                       long long created, std::string_view model,
                                       bool include_usage) {
  json::error_code ec;
  const json::value parsed = json::parse(chunk_json, ec);
  const json::object* chunk = ec ? nullptr : parsed.if_object();
  if (!chunk) return {};
  const std::string_view answered = string_field(*chunk, "model");
  json::object out = skeleton(completion_id, created, answered.empty() ? model : answered);
  json::array out_choices;
  if (const json::value* choices = chunk->if_contains("choices"); choices && choices->is_array())
    for (const json::value& value : choices->get_array()) {
      const json::object* choice = value.if_object();
      if (!choice) continue;
      std::string_view text;
      if (const json::value* delta = choice->if_contains("delta"); delta && delta->is_object())
        text = string_field(delta->get_object(), "content");
      const std::string_view reason = string_field(*choice, "finish_reason");
      if (text.empty() && reason.empty()) continue;  // a role-only or tool delta
      const json::value* index = choice->if_contains("index");
      out_choices.push_back(json::object{
          {"text", text},
          {"index", index && index->is_int64() ? index->get_int64() : 0},
          {"logprobs", nullptr},
          {"finish_reason", reason.empty() ? json::value(nullptr) : json::value(reason)}});
    }
  const json::value* usage = chunk->if_contains("usage");
  const bool has_usage = usage && usage->is_object();
  if (out_choices.empty() && !(has_usage && include_usage)) return {};
  out["choices"] = std::move(out_choices);
  if (has_usage && include_usage) out["usage"] = *usage;
  return json::serialize(out);
}

}  // namespace sluice::gateway
