// Responses API request -> Chat Completions request.
#include "gateway/responses/responses_translate.hpp"

#include <boost/json.hpp>
#include <optional>

#include "gateway/responses/response_items.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

Error invalid(std::string param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param), "invalid_value");
}

Error unsupported(std::string param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param),
                    "unsupported_parameter");
}

std::string at(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

// Copies `key` when present and not null.
void copy_member(const json::object& from, std::string_view key, json::object& to,
                 std::string_view to_key = {}) {
  if (const json::value* v = from.if_contains(key); v && !v->is_null())
    to[to_key.empty() ? key : to_key] = *v;
}

// One Responses content part -> a chat content part.
Result<json::value> chat_part(const json::value& part, const std::string& param) {
  const json::object* p = part.if_object();
  if (!p) return invalid(param, "Invalid '" + param + "': expected an object.");
  const std::string_view type = string_field(*p, "type");
  if (type == "input_text" || type == "output_text" || type == "text") {
    const json::value* text = p->if_contains("text");
    if (!text || !text->is_string())
      return invalid(param + ".text", "Invalid '" + param + ".text': expected a string.");
    return json::value(json::object{{"type", "text"}, {"text", *text}});
  }
  if (type == "input_image") {
    const std::string_view url = string_field(*p, "image_url");
    if (url.empty())
      return unsupported(param + ".file_id",
                         "Images by file_id are not supported here: send 'image_url' (an URL or a "
                         "base64 data URL).");
    json::object image{{"url", url}};
    copy_member(*p, "detail", image);
    return json::value(json::object{{"type", "image_url"}, {"image_url", std::move(image)}});
  }
  if (type == "input_file") {
    if (p->contains("file_url"))
      return unsupported(param + ".file_url",
                         "Files by URL are not supported here: send 'file_data' or 'file_id'.");
    json::object file;
    copy_member(*p, "file_data", file);
    copy_member(*p, "file_id", file);
    copy_member(*p, "filename", file);
    return json::value(json::object{{"type", "file"}, {"file", std::move(file)}});
  }
  return unsupported(param + ".type",
                     "Content parts of type '" + std::string(type) + "' are not supported.");
}

// A message's content: a string stays one; parts become chat parts, and a lone text part becomes
// a plain string, which every chat upstream accepts.
Result<json::value> chat_content(const json::value& content, const std::string& param) {
  if (content.is_string()) return content;
  const json::array* parts = content.if_array();
  if (!parts) return invalid(param, "Invalid '" + param + "': expected a string or an array.");
  json::array out;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    auto part = chat_part((*parts)[i], at(param, i));
    if (!part) return part.error();
    out.push_back(std::move(*part));
  }
  if (out.size() == 1 && out[0].as_object().at("type").as_string() == "text")
    return json::value(out[0].as_object().at("text"));
  return json::value(std::move(out));
}

// Assistant content: output_text parts joined into the content string, refusal parts into
// `refusal`, as a chat assistant message carries them.
Status assistant_content(const json::value& content, const std::string& param,
                         json::object& message) {
  if (content.is_string()) {
    message["content"] = content;
    return {};
  }
  const json::array* parts = content.if_array();
  if (!parts) return invalid(param, "Invalid '" + param + "': expected a string or an array.");
  std::string text, refusal;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const json::object* p = (*parts)[i].if_object();
    const std::string_view type = p ? string_field(*p, "type") : std::string_view();
    if (type == "output_text" || type == "input_text" || type == "text")
      text += string_field(*p, "text");
    else if (type == "refusal")
      refusal += string_field(*p, "refusal");
    else
      return unsupported(at(param, i) + ".type", "Assistant content parts must be output_text.");
  }
  message["content"] = text;
  if (!refusal.empty()) message["refusal"] = refusal;
  return {};
}

Status add_message(const json::object& item, const std::string& param, json::array& messages) {
  std::string_view role = string_field(item, "role");
  const json::value* content = item.if_contains("content");
  if (!content) return invalid(param + ".content", "Missing '" + param + ".content'.");
  json::object message;
  if (role == "assistant") {
    message["role"] = "assistant";
    if (auto s = assistant_content(*content, param + ".content", message); !s) return s;
  } else if (role == "user" || role == "system" || role == "developer") {
    // Chat's developer role is OpenAI-only; system means the same to every chat upstream.
    message["role"] = role == "developer" ? "system" : role;
    auto converted = chat_content(*content, param + ".content");
    if (!converted) return converted.error();
    message["content"] = std::move(*converted);
  } else {
    return invalid(param + ".role",
                   "Invalid '" + param + ".role': expected user, assistant, system or developer.");
  }
  messages.push_back(std::move(message));
  return {};
}

// The assistant message that tool calls join: the last message when it is the assistant's, else a
// new one. Its tool_calls is an array.
json::object& assistant_turn(json::array& messages) {
  json::object* last = messages.empty() ? nullptr : messages.back().if_object();
  if (!last || string_field(*last, "role") != "assistant") {
    messages.push_back(json::object{{"role", "assistant"}, {"content", nullptr}});
    last = &messages.back().as_object();
  }
  json::value& calls = (*last)["tool_calls"];
  if (!calls.is_array()) calls = json::array();
  return *last;
}

// Consecutive function_call items are one assistant turn with several tool calls: chat needs
// them in one message, followed by the tool results.
Status add_function_call(const json::object& item, const std::string& param,
                         json::array& messages) {
  const std::string_view call_id = string_field(item, "call_id");
  const std::string_view name = string_field(item, "name");
  if (call_id.empty()) return invalid(param + ".call_id", "Missing '" + param + ".call_id'.");
  if (name.empty()) return invalid(param + ".name", "Missing '" + param + ".name'.");
  const std::string_view arguments = string_field(item, "arguments");
  json::object call{{"id", call_id},
                    {"type", "function"},
                    {"function", {{"name", name}, {"arguments", arguments}}}};
  assistant_turn(messages)["tool_calls"].as_array().push_back(std::move(call));
  return {};
}

Status add_function_output(const json::object& item, const std::string& param,
                           json::array& messages) {
  const std::string_view call_id = string_field(item, "call_id");
  if (call_id.empty()) return invalid(param + ".call_id", "Missing '" + param + ".call_id'.");
  const json::value* output = item.if_contains("output");
  if (!output) return invalid(param + ".output", "Missing '" + param + ".output'.");
  json::value content;
  if (output->is_string()) {
    content = *output;
  } else {
    // Chat tool messages hold text only.
    auto converted = chat_content(*output, param + ".output");
    if (!converted) return converted.error();
    if (const json::array* parts = converted->if_array())
      for (std::size_t i = 0; i < parts->size(); ++i)
        if ((*parts)[i].as_object().at("type").as_string() != "text")
          return unsupported(at(param + ".output", i) + ".type",
                             "Function call outputs may only hold text here.");
    content = std::move(*converted);
  }
  messages.push_back(
      json::object{{"role", "tool"}, {"tool_call_id", call_id}, {"content", std::move(content)}});
  return {};
}

// A chat message from the store, as JSON text; null when it is not an object.
json::value parse_stored(std::string_view text) {
  json::error_code ec;
  json::value parsed = json::parse(text, ec);
  return ec || !parsed.is_object() ? json::value(nullptr) : parsed;
}

// Appends a stored message. Tool calls join a preceding assistant message as add_function_call's
// do: a stored answer is referred to item by item (text, then each call), chat wants one turn.
void append_stored(json::object message, json::array& messages) {
  json::value* calls = message.if_contains("tool_calls");
  if (!calls || !calls->is_array() || string_field(message, "role") != "assistant") {
    messages.push_back(std::move(message));
    return;
  }
  json::array& joined = assistant_turn(messages)["tool_calls"].as_array();
  for (json::value& call : calls->get_array()) joined.push_back(std::move(call));
}

// Where references resolve: the store (none: nothing is stored) and whose entries they may see.
struct StoredLookup {
  ResponseStore* store;
  std::string_view owner;
};

Status add_item(const json::object& item, const std::string& param, const StoredLookup& store,
                json::array& messages);

// An item_reference: an output item stored as the chat message it stands for, or an input item
// of a stored response (as GET .../input_items lists it), which counts as if sent again here.
Status add_reference(const json::object& item, const std::string& param, const StoredLookup& store,
                     json::array& messages) {
  const std::string_view id = string_field(item, "id");
  if (id.empty()) return invalid(param + ".id", "Missing '" + param + ".id'.");
  const std::optional<FoundItem> stored =
      store.store ? store.store->item(id, store.owner) : std::nullopt;
  json::value found = stored ? parse_stored(stored->json) : json::value(nullptr);
  if (!found.is_object())
    return invalid(param, "Invalid '" + param + "': item '" + std::string(id) +
                              "' is not stored. Stored responses live in one Sluice instance's "
                              "memory: a restart or an eviction loses them and other replicas "
                              "never had them. Send the item itself (Vercel AI SDK: "
                              "providerOptions.openai.store = false).");
  if (stored->kind == FoundItem::Kind::input_item) {
    // The store indexes no references among input items: one never leads to another.
    if (string_field(found.get_object(), "type") == "item_reference")
      return invalid(
          param, "Invalid '" + param + "': item '" + std::string(id) + "' is itself a reference.");
    return add_item(found.get_object(), param, store, messages);
  }
  append_stored(std::move(found.get_object()), messages);
  return {};
}

// The conversation of previous_response_id, before the new input: what that response answered,
// then its output.
Status add_previous_response(const json::object& request, const StoredLookup& store,
                             json::array& messages) {
  const json::value* v = request.if_contains("previous_response_id");
  if (!v || v->is_null()) return {};
  if (!v->is_string() || v->get_string().empty())
    return invalid("previous_response_id", "Invalid 'previous_response_id': expected an id.");
  const std::string_view id = v->get_string();
  const std::shared_ptr<const StoredResponse> stored =
      store.store ? store.store->response(id, store.owner) : nullptr;
  json::error_code ec;
  json::value input = stored ? json::parse(stored->input, ec) : json::value(nullptr);
  if (!stored || ec || !input.is_array())
    return make_error(Errc::not_found,
                      "Previous response with id '" + std::string(id) + "' not found.",
                      "previous_response_id", "previous_response_not_found");
  for (json::value& message : input.get_array()) messages.push_back(std::move(message));
  for (const StoredItem& item : stored->output)
    if (json::value message = parse_stored(item.chat_message); message.is_object())
      append_stored(std::move(message.get_object()), messages);
  return {};
}

// One input item, in place: a message, a function call or its output, a reference to a stored
// item; a reasoning item adds nothing (chat upstreams take no such input).
Status add_item(const json::object& item, const std::string& param, const StoredLookup& store,
                json::array& messages) {
  const std::string_view type = string_field(item, "type");
  if (type.empty() || type == "message") return add_message(item, param, messages);
  if (type == "function_call") return add_function_call(item, param, messages);
  if (type == "function_call_output") return add_function_output(item, param, messages);
  if (type == "reasoning") return {};
  if (type == "item_reference") return add_reference(item, param, store, messages);
  return unsupported(param + ".type",
                     "Input items of type '" + std::string(type) + "' are not supported.");
}

Status add_input(const json::value& input, const StoredLookup& store, json::array& messages) {
  if (input.is_string()) {
    messages.push_back(json::object{{"role", "user"}, {"content", input}});
    return {};
  }
  const json::array* items = input.if_array();
  if (!items) return invalid("input", "Invalid 'input': expected a string or an array of items.");
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string param = at("input", i);
    const json::object* item = (*items)[i].if_object();
    if (!item) return invalid(param, "Invalid '" + param + "': expected an object.");
    if (auto status = add_item(*item, param, store, messages); !status) return status;
  }
  return {};
}

Result<json::array> chat_tools(const json::value& tools) {
  const json::array* list = tools.if_array();
  if (!list) return invalid("tools", "Invalid 'tools': expected an array.");
  json::array out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string param = at("tools", i);
    const json::object* tool = (*list)[i].if_object();
    if (!tool) return invalid(param, "Invalid '" + param + "': expected an object.");
    const std::string_view type = string_field(*tool, "type");
    if (type != "function")
      return unsupported(param + ".type", "Built-in tools ('" + std::string(type) +
                                              "') are not supported: only function tools are.");
    if (string_field(*tool, "name").empty())
      return invalid(param + ".name", "Missing '" + param + ".name'.");
    json::object function;
    for (std::string_view key : {"name", "description", "parameters", "strict"})
      copy_member(*tool, key, function);
    out.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
  }
  return out;
}

json::object function_choice(std::string_view name) {
  return {{"type", "function"}, {"function", {{"name", name}}}};
}

Result<json::value> chat_tool_choice(const json::value& choice) {
  if (choice.is_string()) return choice;  // auto, none, required
  const json::object* c = choice.if_object();
  const std::string_view type = c ? string_field(*c, "type") : std::string_view();
  if (type == "function") return json::value(function_choice(string_field(*c, "name")));
  if (type == "allowed_tools") {
    json::array tools;
    if (const json::value* list = c->if_contains("tools"); list && list->is_array())
      for (const json::value& t : list->get_array())
        if (const json::object* tool = t.if_object())
          tools.push_back(function_choice(string_field(*tool, "name")));
    json::object allowed{{"mode", string_field(*c, "mode")}, {"tools", std::move(tools)}};
    return json::value(
        json::object{{"type", "allowed_tools"}, {"allowed_tools", std::move(allowed)}});
  }
  return unsupported("tool_choice", "Only auto, none, required and function tool choices work.");
}

Result<json::value> chat_response_format(const json::value& text) {
  const json::object* t = text.if_object();
  const json::value* format = t ? t->if_contains("format") : nullptr;
  const json::object* f = format ? format->if_object() : nullptr;
  if (!f) return json::value(nullptr);
  const std::string_view type = string_field(*f, "type");
  if (type == "text") return json::value(nullptr);
  if (type == "json_object") return json::value(json::object{{"type", "json_object"}});
  if (type == "json_schema") {
    json::object schema;
    for (std::string_view key : {"name", "description", "schema", "strict"})
      copy_member(*f, key, schema);
    return json::value(json::object{{"type", "json_schema"}, {"json_schema", std::move(schema)}});
  }
  return unsupported("text.format.type", "Unknown text format '" + std::string(type) + "'.");
}

// Parameters that need state or machinery Sluice does not have.
Status reject_unsupported(const json::object& request) {
  for (std::string_view key : {"conversation", "prompt"})
    if (const json::value* v = request.if_contains(key); v && !v->is_null()) {
      std::string message(key);
      message +=
          " is not supported: Sluice keeps no conversations or prompts (previous_response_id "
          "chains responses).";
      return unsupported(std::string(key), std::move(message));
    }
  if (const json::value* v = request.if_contains("store"); v && !v->is_null() && !v->is_bool())
    return make_error(Errc::invalid_request, "'store' must be a boolean", "store", "invalid_type");
  if (const json::value* v = request.if_contains("background"); v && v->is_bool() && v->get_bool())
    return unsupported("background", "Background responses are not supported.");
  return {};
}

// The instructions, which lead the chat messages as a system message; empty when there are none.
std::string_view instructions(const json::object& request) {
  return string_field(request, "instructions");
}

}  // namespace

Result<json::object> chat_request_from_responses(const json::object& request,
                                                 ResponseStore* responses, std::string_view owner) {
  const StoredLookup store{responses, owner};
  if (auto s = reject_unsupported(request); !s) return s.error();
  json::object chat;
  copy_member(request, "model", chat);
  json::array messages;
  if (!instructions(request).empty())
    messages.push_back(json::object{{"role", "system"}, {"content", instructions(request)}});
  const json::value* input = request.if_contains("input");
  if (!input) return invalid("input", "Missing required parameter: 'input'.");
  if (auto s = add_previous_response(request, store, messages); !s) return s.error();
  if (auto s = add_input(*input, store, messages); !s) return s.error();
  if (messages.empty()) return invalid("input", "Invalid 'input': no messages to answer.");
  chat["messages"] = std::move(messages);

  // OpenAI refuses max_tokens and max_completion_tokens together; the newer one is what it
  // and the Anthropic translation read.
  copy_member(request, "max_output_tokens", chat, "max_completion_tokens");
  for (std::string_view key :
       {"temperature", "top_p", "user", "safety_identifier", "prompt_cache_key", "service_tier"})
    copy_member(request, key, chat);
  if (const json::value* reasoning = request.if_contains("reasoning");
      reasoning && reasoning->is_object())
    copy_member(reasoning->get_object(), "effort", chat, "reasoning_effort");

  if (const json::value* tools = request.if_contains("tools"); tools && !tools->is_null()) {
    auto converted = chat_tools(*tools);
    if (!converted) return converted.error();
    if (!converted->empty()) chat["tools"] = std::move(*converted);
  }
  // Chat refuses tool settings without tools.
  if (const json::value* choice = request.if_contains("tool_choice");
      choice && !choice->is_null() && chat.contains("tools")) {
    auto converted = chat_tool_choice(*choice);
    if (!converted) return converted.error();
    chat["tool_choice"] = std::move(*converted);
  }
  if (chat.contains("tools")) copy_member(request, "parallel_tool_calls", chat);
  if (const json::value* text = request.if_contains("text"); text && !text->is_null()) {
    auto format = chat_response_format(*text);
    if (!format) return format.error();
    if (!format->is_null()) chat["response_format"] = std::move(*format);
    if (text->is_object()) copy_member(text->get_object(), "verbosity", chat);
  }

  if (const json::value* stream = request.if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool())
      return make_error(Errc::invalid_request, "'stream' must be a boolean", "stream",
                        "invalid_type");
    chat["stream"] = stream->get_bool();
    if (stream->get_bool()) chat["stream_options"] = {{"include_usage", true}};
  }
  return chat;
}

bool store_requested(const json::object& request) {
  const json::value* store = request.if_contains("store");
  return !store || !store->is_bool() || store->get_bool();
}

StoredResponse stored_response(const json::object& request, const json::object& chat,
                               const json::array& output) {
  StoredResponse stored;
  stored.input.push_back('[');  // not = "[": GCC 12 warns falsely (-Wrestrict)
  if (const json::value* messages = chat.if_contains("messages");
      messages && messages->is_array()) {
    const json::array& list = messages->get_array();
    for (std::size_t i = instructions(request).empty() ? 0 : 1; i < list.size(); ++i) {
      if (stored.input.size() > 1) stored.input += ',';
      stored.input += json::serialize(list[i]);
    }
  }
  stored.input += ']';
  for (const json::value& value : output) {
    const json::object* item = value.if_object();
    const std::string_view id = item ? string_field(*item, "id") : std::string_view();
    if (id.empty()) continue;
    const std::string_view type = string_field(*item, "type");
    json::array message;  // the item's chat message, alone
    if (type == "message") {
      json::object assistant{{"role", "assistant"}};
      const json::value* content = item->if_contains("content");
      if (!content || !assistant_content(*content, "output", assistant)) continue;
      message.push_back(std::move(assistant));
    } else if (type != "function_call" || !add_function_call(*item, "output", message)) {
      continue;
    }
    stored.output.push_back({std::string(id), json::serialize(message.front())});
  }
  return stored;
}

namespace {

// The input items as one JSON array, and where each that a reference may name lies in it (those
// that are references themselves name an item of another response).
void keep_input_items(const json::array& items, StoredResponse& stored) {
  std::string& text = stored.input_items;
  text.push_back('[');  // not = "[": GCC 12 warns falsely (-Wrestrict)
  for (const json::value& value : items) {
    if (text.size() > 1) text += ',';
    const std::size_t offset = text.size();
    text += json::serialize(value);
    const json::object& item = value.as_object();  // input_items_of lists objects only
    if (string_field(item, "type") != "item_reference")
      stored.inputs.push_back(
          {std::string(string_field(item, "id")), offset, text.size() - offset});
  }
  text += ']';
}

}  // namespace

StoredResponse stored_response(const json::object& request, const json::object& chat,
                               const json::object& response, std::string response_json) {
  static const json::array kNoOutput;
  const json::value* output = response.if_contains("output");
  const json::array* items = output ? output->if_array() : nullptr;
  StoredResponse stored = stored_response(request, chat, items ? *items : kNoOutput);
  stored.object = response_json.empty() ? json::serialize(response) : std::move(response_json);
  keep_input_items(input_items_of(request), stored);
  return stored;
}

}  // namespace sluice::gateway
