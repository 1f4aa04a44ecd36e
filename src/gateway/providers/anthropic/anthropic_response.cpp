#include <boost/json.hpp>

#include "gateway/providers/anthropic/anthropic_common.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;
using anthropic::object_field;
using anthropic::string_field;

// The upstream broke the protocol: the client gets a 502, not a half-translated answer.
Error malformed(std::string_view what) {
  return make_error(Errc::bad_gateway, "malformed response from upstream: " + std::string(what));
}

json::object tool_call_from(const json::object& block) {
  const json::value* input = block.if_contains("input");
  // OpenAI carries arguments as JSON text; Anthropic as an object (absent for no arguments).
  std::string arguments = input && !input->is_null() ? json::serialize(*input) : "{}";
  json::object function{{"name", string_field(block, "name")}, {"arguments", arguments}};
  return json::object{
      {"id", string_field(block, "id")}, {"type", "function"}, {"function", std::move(function)}};
}

}  // namespace

Result<std::string> openai_response_from_anthropic(std::string_view anthropic_body,
                                                   std::string_view response_model,
                                                   long long created_unix) {
  boost::system::error_code ec;
  json::value parsed = json::parse(anthropic_body, ec);
  if (ec || !parsed.is_object()) return malformed("not a JSON object");
  const json::object& message = parsed.get_object();
  if (string_field(message, "type") == "error") {
    return anthropic::error_from_object(object_field(message, "error"), 200);
  }
  const json::value* content = message.if_contains("content");
  if (!content || !content->is_array()) return malformed("content is not an array");

  std::string text;
  json::array tool_calls;
  for (const json::value& block_value : content->get_array()) {
    if (!block_value.is_object()) return malformed("content block is not an object");
    const json::object& block = block_value.get_object();
    const std::string_view type = string_field(block, "type");
    if (type == "text") {
      text += string_field(block, "text");
    } else if (type == "tool_use") {
      tool_calls.push_back(tool_call_from(block));
    }
    // thinking, redacted_thinking and server-tool blocks have no Chat Completions counterpart.
  }

  json::object out_message;
  out_message["role"] = "assistant";
  // OpenAI sends null content for a pure tool-call turn; clients test for it.
  if (text.empty() && !tool_calls.empty()) {
    out_message["content"] = nullptr;
  } else {
    out_message["content"] = text;
  }
  out_message["refusal"] = nullptr;
  if (!tool_calls.empty()) out_message["tool_calls"] = std::move(tool_calls);

  AnthropicUsage usage;
  if (const json::object* u = object_field(message, "usage")) anthropic::read_usage(*u, usage);

  json::object choice;
  choice["index"] = 0;
  choice["message"] = std::move(out_message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = anthropic::finish_reason(string_field(message, "stop_reason"));

  json::object out;
  out["id"] = anthropic::completion_id(string_field(message, "id"));
  out["object"] = "chat.completion";
  out["created"] = created_unix;
  out["model"] = response_model;
  out["choices"] = json::array{std::move(choice)};
  out["usage"] = anthropic::openai_usage(usage);
  return json::serialize(out);
}

Error error_from_anthropic(std::string_view anthropic_body, int status) {
  boost::system::error_code ec;
  json::value parsed = json::parse(anthropic_body, ec);
  const json::object* error = nullptr;
  if (!ec && parsed.is_object()) error = object_field(parsed.get_object(), "error");
  return anthropic::error_from_object(error, status);
}

std::string openai_error_from_anthropic(std::string_view anthropic_body, int status) {
  return render_error_body(error_from_anthropic(anthropic_body, status));
}

}  // namespace sluice::gateway
