#include "mock/mock_tool_turns.hpp"

#include <boost/json.hpp>

#include "core/json_read.hpp"

namespace sluice::mock {
namespace json = boost::json;
using core::string_field;

namespace {

const json::object* first_function(const json::object& request) {
  const json::value* tools = request.if_contains("tools");
  if (!tools || !tools->is_array()) return nullptr;
  for (const json::value& tool : tools->get_array())
    if (const json::object* t = tool.if_object(); t && string_field(*t, "type") == "function")
      if (const json::value* fn = t->if_contains("function"); fn && fn->is_object())
        return &fn->get_object();
  return nullptr;
}

bool choice_left_to_model(const json::object& request) {
  const json::value* choice = request.if_contains("tool_choice");
  return !choice || choice->is_null() || (choice->is_string() && choice->get_string() == "auto");
}

// A value of the JSON Schema type `schema` names.
json::value sample_value(const json::value* schema, std::string_view words) {
  const json::object* s = schema ? schema->if_object() : nullptr;
  const std::string_view type = s ? string_field(*s, "type") : std::string_view();
  if (type == "number" || type == "integer") return 1;
  if (type == "boolean") return true;
  if (type == "array") return json::array();
  if (type == "object") return json::object();
  if (type == "string") return json::string(words);
  return nullptr;
}

std::string arguments_for(const json::object& function, std::string_view words) {
  json::object arguments;
  const json::value* parameters = function.if_contains("parameters");
  const json::object* schema = parameters ? parameters->if_object() : nullptr;
  const json::value* required = schema ? schema->if_contains("required") : nullptr;
  const json::value* properties = schema ? schema->if_contains("properties") : nullptr;
  if (required && required->is_array())
    for (const json::value& name : required->get_array()) {
      if (!name.is_string()) continue;
      const json::value* property = properties && properties->is_object()
                                        ? properties->get_object().if_contains(name.get_string())
                                        : nullptr;
      arguments[name.get_string()] = sample_value(property, words);
    }
  return json::serialize(arguments);
}

}  // namespace

std::optional<gateway::MockReply> mock_tool_turn(const json::object& request,
                                                 long long reply_tokens) {
  const json::object* function = first_function(request);
  const json::value* messages = request.if_contains("messages");
  if (!function || !choice_left_to_model(request) || !messages || !messages->is_array())
    return std::nullopt;
  // The tool results since the last user message.
  std::string results;
  int result_count = 0;
  for (const json::value& m : messages->get_array()) {
    const json::object* message = m.if_object();
    if (!message) continue;
    const std::string_view role = string_field(*message, "role");
    if (role == "user") {
      results.clear();
      result_count = 0;
    }
    if (role != "tool") continue;
    const json::value* content = message->if_contains("content");
    if (result_count++ > 0) results += "; ";
    results += content ? gateway::mock_content_text(*content) : std::string();
  }
  const gateway::MockConversation conversation = gateway::read_mock_conversation(request);
  const std::string words = conversation.last_user.substr(0, 60);
  gateway::MockReply reply;
  if (result_count == 0) {
    const std::string name(string_field(*function, "name"));
    reply = gateway::mock_reply_to(conversation.last_user, name, 0);
    reply.tool_calls[0].arguments = arguments_for(*function, words);
    reply.completion_tokens =
        gateway::mock_tokens(name.size() + reply.tool_calls[0].arguments.size());
  } else {
    reply = gateway::mock_reply_to(conversation.last_user, {}, reply_tokens);
    reply.content = "Tool results: " + results + ". " + reply.content;
    reply.completion_tokens = gateway::mock_tokens(reply.content.size());
  }
  reply.prompt_tokens =
      gateway::mock_tokens(conversation.prompt_bytes) + 4 * conversation.message_count;
  return reply;
}

}  // namespace sluice::mock
