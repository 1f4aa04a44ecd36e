// Messages request -> Chat Completions request.
#include <boost/json.hpp>

#include "gateway/ingress/messages_translate.hpp"
#include "gateway/token_estimate.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

// Field paths as Anthropic's errors write them: "messages.1.content.0.type".
std::string at(std::string_view base, std::string_view key) {
  return std::string(base) + "." + std::string(key);
}
std::string at(std::string_view base, std::size_t index) {
  return std::string(base) + "." + std::to_string(index);
}

Error invalid(const std::string& path, std::string_view message) {
  return make_error(Errc::invalid_request, path + ": " + std::string(message), path);
}

const json::value* field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

std::string_view text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// A data: URL or a URL from an image or document block's source, built in place: a base64
// source may be tens of megabytes.
Result<json::string> source_url(const json::object& block, const std::string& path,
                                const json::storage_ptr& sp) {
  const json::value* source = field(block, "source");
  if (!source || !source->is_object()) return invalid(at(path, "source"), "Field required");
  const json::object& s = source->get_object();
  const std::string_view type = text_of(s, "type");
  if (type == "base64") {
    const std::string_view media = text_of(s, "media_type");
    const std::string_view data = text_of(s, "data");
    if (media.empty() || data.empty())
      return invalid(at(path, "source"), "base64 sources need media_type and data");
    json::string url(sp);
    url.reserve(media.size() + data.size() + 13);
    url.append("data:").append(media).append(";base64,").append(data);
    return url;
  }
  if (type == "url") {
    const std::string_view url = text_of(s, "url");
    if (url.empty()) return invalid(at(at(path, "source"), "url"), "Field required");
    return json::string(url, sp);
  }
  return invalid(at(at(path, "source"), "type"),
                 "only base64 and url sources can be sent to this model's provider");
}

// One user content block as a chat content part.
Result<json::object> user_part(const json::object& block, const std::string& path,
                               const json::storage_ptr& sp) {
  const std::string_view type = text_of(block, "type");
  if (type == "text") {
    const json::value* text = field(block, "text");
    if (!text || !text->is_string()) return invalid(at(path, "text"), "Field required");
    return json::object({{"type", "text"}, {"text", text->get_string()}}, sp);
  }
  if (type == "image") {
    auto url = source_url(block, path, sp);
    if (!url) return url.error();
    json::object image_url(sp);
    image_url.emplace("url", std::move(*url));
    json::object part({{"type", "image_url"}}, sp);
    part.emplace("image_url", std::move(image_url));
    return part;
  }
  if (type == "document") {
    const json::object* source = block.if_contains("source") && block.at("source").is_object()
                                     ? &block.at("source").get_object()
                                     : nullptr;
    if (source && text_of(*source, "type") == "text")
      return json::object({{"type", "text"}, {"text", text_of(*source, "data")}}, sp);
    if (source && text_of(*source, "type") == "base64") {
      auto url = source_url(block, path, sp);
      if (!url) return url.error();
      json::object file(sp);
      file.emplace("file_data", std::move(*url));
      const std::string_view title = text_of(block, "title");
      file["filename"] = title.empty() ? std::string_view("document.pdf") : title;
      json::object part({{"type", "file"}}, sp);
      part.emplace("file", std::move(file));
      return part;
    }
    return invalid(at(at(path, "source"), "type"),
                   "documents can be sent as text or base64 to this model's provider");
  }
  if (type.empty()) return invalid(at(path, "type"), "Field required");
  return invalid(at(path, "type"), "content blocks of type '" + std::string(type) +
                                       "' cannot be sent to this model's provider");
}

// A tool_result block -> a tool message; its images go to `images` (a tool message carries text
// only), sent in a user turn after the tool messages.
Result<json::object> tool_message(const json::object& block, const std::string& path,
                                  json::array& images) {
  const json::storage_ptr& sp = images.storage();
  const std::string_view id = text_of(block, "tool_use_id");
  if (id.empty()) return invalid(at(path, "tool_use_id"), "Field required");
  std::string text;
  if (const json::value* content = field(block, "content")) {
    if (content->is_string()) {
      text = content->get_string();
    } else if (content->is_array()) {
      std::size_t i = 0;
      for (const json::value& part : content->get_array()) {
        const std::string part_path = at(at(path, "content"), i++);
        if (!part.is_object()) return invalid(part_path, "Input should be an object");
        const std::string_view type = text_of(part.get_object(), "type");
        if (type == "image") {
          auto image = user_part(part.get_object(), part_path, sp);
          if (!image) return image.error();
          images.emplace_back(std::move(*image));
          continue;
        }
        if (type != "text")
          return invalid(at(part_path, "type"), "tool results hold text and image blocks");
        if (!text.empty()) text += '\n';
        text += text_of(part.get_object(), "text");
      }
    } else {
      return invalid(at(path, "content"), "Input should be a string or a list of blocks");
    }
  }
  // Chat has no error flag on tool results: the model reads it in the text.
  if (const json::value* error = field(block, "is_error");
      error && error->is_bool() && error->get_bool())
    text = "Error: " + text;
  return json::object({{"role", "tool"}, {"tool_call_id", id}, {"content", std::move(text)}}, sp);
}

// An assistant turn: text joined, tool_use blocks as tool calls, thinking dropped (it belongs to
// the upstream that wrote it).
Result<json::object> assistant_message(const json::array& blocks, const std::string& path,
                                       const json::storage_ptr& sp) {
  std::string text;
  json::array calls(sp);
  std::size_t i = 0;
  for (const json::value& value : blocks) {
    const std::string block_path = at(path, i++);
    if (!value.is_object()) return invalid(block_path, "Input should be an object");
    const json::object& block = value.get_object();
    const std::string_view type = text_of(block, "type");
    if (type == "text") {
      text += text_of(block, "text");
    } else if (type == "tool_use") {
      const std::string_view id = text_of(block, "id");
      const std::string_view name = text_of(block, "name");
      if (id.empty()) return invalid(at(block_path, "id"), "Field required");
      if (name.empty()) return invalid(at(block_path, "name"), "Field required");
      const json::value* input = field(block, "input");
      calls.push_back(json::object(
          {{"id", id},
           {"type", "function"},
           {"function",
            {{"name", name}, {"arguments", input ? json::serialize(*input) : std::string("{}")}}}},
          sp));
    } else if (type == "thinking" || type == "redacted_thinking") {
      continue;
    } else {
      return invalid(at(block_path, "type"), "assistant content blocks of type '" +
                                                 std::string(type) +
                                                 "' cannot be sent to this model's provider");
    }
  }
  json::object message({{"role", "assistant"}}, sp);
  if (!text.empty() || calls.empty()) message["content"] = std::move(text);
  if (!calls.empty()) message["tool_calls"] = std::move(calls);
  return message;
}

// Appends the chat messages of one Messages turn, allocated as `out` is.
Status append_turn(const json::value& value, const std::string& path, json::array& out) {
  const json::storage_ptr& sp = out.storage();
  if (!value.is_object()) return invalid(path, "Input should be an object");
  const json::object& turn = value.get_object();
  const std::string_view role = text_of(turn, "role");
  if (role != "user" && role != "assistant")
    return invalid(at(path, "role"), "Input should be 'user' or 'assistant'");
  const json::value* content = field(turn, "content");
  if (!content) return invalid(at(path, "content"), "Field required");
  if (content->is_string()) {
    out.push_back(json::object({{"role", role}, {"content", content->get_string()}}, sp));
    return {};
  }
  if (!content->is_array())
    return invalid(at(path, "content"), "Input should be a string or a list of blocks");
  const std::string content_path = at(path, "content");
  if (role == "assistant") {
    auto message = assistant_message(content->get_array(), content_path, sp);
    if (!message) return message.error();
    out.emplace_back(std::move(*message));
    return {};
  }
  // A user turn: tool results first (chat wants them right after the assistant's calls), then
  // what the user said.
  json::array parts(sp), images(sp);
  std::size_t i = 0;
  for (const json::value& block : content->get_array()) {
    const std::string block_path = at(content_path, i++);
    if (!block.is_object()) return invalid(block_path, "Input should be an object");
    if (text_of(block.get_object(), "type") == "tool_result") {
      auto tool = tool_message(block.get_object(), block_path, images);
      if (!tool) return tool.error();
      out.emplace_back(std::move(*tool));
      continue;
    }
    auto part = user_part(block.get_object(), block_path, sp);
    if (!part) return part.error();
    parts.emplace_back(std::move(*part));
  }
  for (json::value& image : images) parts.emplace_back(std::move(image));
  if (!parts.empty()) {
    json::object message({{"role", "user"}}, sp);
    message.emplace("content", std::move(parts));
    out.push_back(std::move(message));
  }
  return {};
}

Result<std::string> system_text(const json::value& system) {
  if (system.is_string()) return std::string(system.get_string());
  if (!system.is_array()) return invalid("system", "Input should be a string or a list of blocks");
  std::string text;
  std::size_t i = 0;
  for (const json::value& block : system.get_array()) {
    const std::string path = at("system", i++);
    if (!block.is_object() || text_of(block.get_object(), "type") != "text")
      return invalid(path, "system blocks must be text blocks");
    if (!text.empty()) text += "\n\n";
    text += text_of(block.get_object(), "text");
  }
  return text;
}

Result<json::array> chat_tools(const json::value& tools, const json::storage_ptr& sp) {
  if (!tools.is_array()) return invalid("tools", "Input should be a list");
  json::array out(sp);
  std::size_t i = 0;
  for (const json::value& value : tools.get_array()) {
    const std::string path = at("tools", i++);
    if (!value.is_object()) return invalid(path, "Input should be an object");
    const json::object& tool = value.get_object();
    if (const std::string_view type = text_of(tool, "type"); !type.empty() && type != "custom")
      return invalid(at(path, "type"), "server tools ('" + std::string(type) +
                                           "') cannot be sent to this model's provider");
    const std::string_view name = text_of(tool, "name");
    if (name.empty()) return invalid(at(path, "name"), "Field required");
    const json::value* schema = field(tool, "input_schema");
    if (!schema || !schema->is_object()) return invalid(at(path, "input_schema"), "Field required");
    json::object function({{"name", name}, {"parameters", *schema}}, sp);
    if (const std::string_view description = text_of(tool, "description"); !description.empty())
      function["description"] = description;
    json::object tool_entry({{"type", "function"}}, sp);
    tool_entry.emplace("function", std::move(function));
    out.push_back(std::move(tool_entry));
  }
  return out;
}

Status set_tool_choice(const json::value& choice, json::object& chat) {
  if (!choice.is_object()) return invalid("tool_choice", "Input should be an object");
  const json::object& c = choice.get_object();
  const std::string_view type = text_of(c, "type");
  if (type == "auto") {
    chat["tool_choice"] = "auto";
  } else if (type == "any") {
    chat["tool_choice"] = "required";
  } else if (type == "none") {
    chat["tool_choice"] = "none";
  } else if (type == "tool") {
    const std::string_view name = text_of(c, "name");
    if (name.empty()) return invalid("tool_choice.name", "Field required");
    chat["tool_choice"] = {{"type", "function"}, {"function", {{"name", name}}}};
  } else {
    return invalid("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'");
  }
  if (const json::value* off = field(c, "disable_parallel_tool_use");
      off && off->is_bool() && off->get_bool() && type != "none")
    chat["parallel_tool_calls"] = false;
  return {};
}

}  // namespace

Result<json::object> chat_request_from_messages(const json::object& request,
                                                json::storage_ptr storage) {
  json::object chat(storage);
  const json::value* model = field(request, "model");
  if (!model) return invalid("model", "Field required");
  if (!model->is_string() || model->get_string().empty())
    return invalid("model", "Input should be a non-empty string");
  chat["model"] = model->get_string();

  const json::value* max_tokens = field(request, "max_tokens");
  if (!max_tokens) return invalid("max_tokens", "Field required");
  const bool whole =
      (max_tokens->is_int64() && max_tokens->get_int64() >= 1) || max_tokens->is_uint64();
  if (!whole) return invalid("max_tokens", "Input should be a whole number of at least 1");
  chat["max_tokens"] = *max_tokens;

  json::array messages(storage);
  if (const json::value* system = field(request, "system")) {
    auto text = system_text(*system);
    if (!text) return text.error();
    if (!text->empty())
      messages.push_back(json::object({{"role", "system"}, {"content", *text}}, storage));
  }
  const json::value* turns = field(request, "messages");
  if (!turns) return invalid("messages", "Field required");
  if (!turns->is_array()) return invalid("messages", "Input should be a list");
  if (turns->get_array().empty()) return invalid("messages", "at least one message is required");
  std::size_t i = 0;
  for (const json::value& turn : turns->get_array())
    if (auto ok = append_turn(turn, at("messages", i++), messages); !ok.ok()) return ok.error();
  chat["messages"] = std::move(messages);

  if (const json::value* stop = field(request, "stop_sequences")) {
    if (!stop->is_array()) return invalid("stop_sequences", "Input should be a list");
    for (const json::value& s : stop->get_array())
      if (!s.is_string()) return invalid("stop_sequences", "Input should be a list of strings");
    if (!stop->get_array().empty()) chat["stop"] = *stop;
  }
  for (std::string_view number : {"temperature", "top_p"})
    if (const json::value* v = field(request, number)) {
      if (!v->is_number()) return invalid(std::string(number), "Input should be a number");
      chat[number] = *v;
    }
  if (const json::value* tools = field(request, "tools")) {
    auto converted = chat_tools(*tools, storage);
    if (!converted) return converted.error();
    if (!converted->empty()) chat["tools"] = std::move(*converted);
  }
  if (const json::value* choice = field(request, "tool_choice"))
    if (auto ok = set_tool_choice(*choice, chat); !ok.ok()) return ok.error();
  if (const json::value* metadata = field(request, "metadata"); metadata && metadata->is_object())
    if (const std::string_view user = text_of(metadata->get_object(), "user_id"); !user.empty())
      chat["user"] = user;
  if (const json::value* stream = field(request, "stream")) {
    if (!stream->is_bool()) return invalid("stream", "Input should be a boolean");
    if (stream->get_bool()) {
      chat["stream"] = true;
      chat["stream_options"] = {{"include_usage", true}};
    }
  }
  return chat;
}

long long estimate_message_tokens(const json::object& chat_request) {
  long long tokens = 0;
  if (const json::value* messages = chat_request.if_contains("messages");
      messages && messages->is_array())
    tokens += estimate_prompt_tokens(messages->get_array());
  if (const json::value* tools = chat_request.if_contains("tools"))
    tokens += estimate_tokens(json::serialize(*tools));
  return tokens;
}

}  // namespace sluice::gateway
