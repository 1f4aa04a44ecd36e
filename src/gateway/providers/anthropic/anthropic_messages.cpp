#include "gateway/providers/anthropic/anthropic_messages.hpp"

#include <optional>

#include "gateway/providers/anthropic/anthropic_common.hpp"

namespace sluice::gateway::anthropic {
namespace {

namespace json = boost::json;

// "data:image/png;base64,AAAA" -> media type and payload; nullopt for anything else.
struct DataUrl {
  std::string_view media_type;
  std::string_view data;
};

std::optional<DataUrl> parse_base64_data_url(std::string_view url) {
  if (!url.starts_with("data:")) return std::nullopt;
  const std::size_t comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const std::string_view meta = url.substr(5, comma - 5);
  if (!meta.ends_with(";base64")) return std::nullopt;
  DataUrl out{meta.substr(0, meta.find(';')), url.substr(comma + 1)};
  if (out.media_type.empty() || out.data.empty()) return std::nullopt;
  return out;
}

json::object base64_source(const DataUrl& d) {
  return json::object{{"type", "base64"}, {"media_type", d.media_type}, {"data", d.data}};
}

Result<json::object> image_block(const json::value& image_url, const std::string& param) {
  // The spec says {"url": ...}; some clients send the URL string itself.
  const json::value* url_value = &image_url;
  if (image_url.is_object()) url_value = field(image_url.get_object(), "url");
  if (!url_value || !url_value->is_string()) {
    return invalid(member(param, "url"), "image_url.url must be a string");
  }
  const std::string_view url = url_value->get_string();
  if (url.starts_with("data:")) {
    auto data = parse_base64_data_url(url);
    if (!data) return invalid(member(param, "url"), "image data URLs must be base64-encoded");
    return json::object{{"type", "image"}, {"source", base64_source(*data)}};
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    return json::object{{"type", "image"}, {"source", json::object{{"type", "url"}, {"url", url}}}};
  }
  return invalid(member(param, "url"), "image_url.url must be an http(s) URL or a data: URL");
}

Result<json::object> file_block(const json::value& file, const std::string& param) {
  const json::value* data_value =
      file.is_object() ? field(file.get_object(), "file_data") : nullptr;
  if (!data_value || !data_value->is_string()) {
    return invalid(member(param, "file_data"),
                   "only inline files (file.file_data) can be sent to Anthropic models");
  }
  auto data = parse_base64_data_url(data_value->get_string());
  if (!data || data->media_type != "application/pdf") {
    return invalid(member(param, "file_data"),
                   "file.file_data must be a base64 data URL of a PDF for Anthropic models");
  }
  return json::object{{"type", "document"}, {"source", base64_source(*data)}};
}

json::object text_block(std::string_view text) {
  return json::object{{"type", "text"}, {"text", text}};
}

// Which content part types a role may carry beyond plain text.
enum class Parts { text_only, user, assistant };

// Appends the blocks for an OpenAI content value (a string or an array of parts) to `blocks`.
// Empty text is skipped: Anthropic rejects empty text blocks.
Status append_content(const json::value& content, const std::string& param, Parts allowed,
                      json::array& blocks) {
  if (content.is_null()) return {};
  if (content.is_string()) {
    if (!content.get_string().empty()) blocks.push_back(text_block(content.get_string()));
    return {};
  }
  if (!content.is_array()) return invalid(param, "content must be a string or an array of parts");
  std::size_t j = 0;
  for (const json::value& part_value : content.get_array()) {
    const std::string part_param = indexed(param, j++);
    if (!part_value.is_object()) return invalid(part_param, "content part must be an object");
    const json::object& part = part_value.get_object();
    const json::value* type_value = field(part, "type");
    const std::string_view type =
        type_value && type_value->is_string() ? std::string_view(type_value->get_string()) : "";
    // An assistant's refusal is what it said; replaying it as text keeps the history intact.
    const bool is_text = type == "text" || (allowed == Parts::assistant && type == "refusal");
    if (is_text) {
      const json::value* text = field(part, type == "text" ? "text" : "refusal");
      if (!text || !text->is_string()) return invalid(member(part_param, type), "must be a string");
      if (!text->get_string().empty()) blocks.push_back(text_block(text->get_string()));
      continue;
    }
    if (allowed == Parts::user && type == "image_url") {
      const json::value* image_url = field(part, "image_url");
      if (!image_url) return invalid(member(part_param, "image_url"), "image_url is required");
      auto block = image_block(*image_url, member(part_param, "image_url"));
      if (!block) return block.error();
      blocks.push_back(std::move(*block));
      continue;
    }
    if (allowed == Parts::user && type == "file") {
      const json::value* file = field(part, "file");
      auto block = file_block(file ? *file : json::value(), member(part_param, "file"));
      if (!block) return block.error();
      blocks.push_back(std::move(*block));
      continue;
    }
    if (type.empty()) return invalid(member(part_param, "type"), "content part type is required");
    return invalid(member(part_param, "type"),
                   "content part type '" + std::string(type) + "' is not supported here");
  }
  return {};
}

// Appends the text of a content value to a system prompt, pieces separated by a blank line.
Status append_text(const json::value& content, const std::string& param, std::string& out) {
  json::array blocks;
  if (auto s = append_content(content, param, Parts::text_only, blocks); !s) return s;
  for (const json::value& block : blocks) {
    if (!out.empty()) out += "\n\n";
    out += std::string_view(block.at("text").get_string());
  }
  return {};
}

Status append_tool_calls(const json::value& tool_calls, const std::string& param,
                         json::array& blocks) {
  if (!tool_calls.is_array()) return invalid(param, "tool_calls must be an array");
  std::size_t j = 0;
  for (const json::value& call_value : tool_calls.get_array()) {
    const std::string call_param = indexed(param, j++);
    if (!call_value.is_object()) return invalid(call_param, "tool call must be an object");
    const json::object& call = call_value.get_object();
    const json::value* id = field(call, "id");
    if (!id || !id->is_string() || id->get_string().empty()) {
      return invalid(member(call_param, "id"), "tool call id must be a non-empty string");
    }
    if (const json::value* type = field(call, "type"); type && !is_string(type, "function")) {
      return invalid(member(call_param, "type"), "only function tool calls are supported");
    }
    const json::value* function = field(call, "function");
    if (!function || !function->is_object()) {
      return invalid(member(call_param, "function"), "function must be an object");
    }
    const json::value* name = field(function->get_object(), "name");
    if (!name || !name->is_string()) {
      return invalid(member(call_param, "function.name"), "function.name must be a string");
    }
    // OpenAI carries arguments as JSON text, Anthropic as the parsed object.
    json::value input = json::object();
    if (const json::value* args = field(function->get_object(), "arguments")) {
      if (!args->is_string()) {
        return invalid(member(call_param, "function.arguments"), "arguments must be a string");
      }
      const std::string_view text = args->get_string();
      if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        boost::system::error_code ec;
        input = json::parse(text, ec);
        if (ec || !input.is_object()) {
          return invalid(member(call_param, "function.arguments"),
                         "arguments must be a JSON object encoded as a string");
        }
      }
    }
    blocks.push_back(json::object{{"type", "tool_use"},
                                  {"id", id->get_string()},
                                  {"name", name->get_string()},
                                  {"input", std::move(input)}});
  }
  return {};
}

Result<json::object> tool_result_block(const json::object& message, const std::string& param) {
  const json::value* id = field(message, "tool_call_id");
  if (!id || !id->is_string() || id->get_string().empty()) {
    return invalid(member(param, "tool_call_id"), "tool_call_id must be a non-empty string");
  }
  json::object block{{"type", "tool_result"}, {"tool_use_id", id->get_string()}};
  // Content is optional in a tool_result; empty text is not allowed, so it is left out.
  if (const json::value* content = field(message, "content")) {
    if (content->is_string()) {
      if (!content->get_string().empty()) block["content"] = content->get_string();
    } else {
      json::array parts;
      if (auto s = append_content(*content, member(param, "content"), Parts::text_only, parts);
          !s) {
        return s.error();
      }
      if (!parts.empty()) block["content"] = std::move(parts);
    }
  }
  return block;
}

// Appends a turn, merging it into the previous one when the role repeats.
void append_turn(Conversation& conversation, std::string_view role, json::array blocks) {
  if (blocks.empty()) return;
  json::array& messages = conversation.messages;
  if (!messages.empty()) {
    json::object& last = messages.back().as_object();
    if (last.at("role").as_string() == role) {
      json::array& content = last.at("content").as_array();
      for (json::value& block : blocks) content.push_back(std::move(block));
      return;
    }
  }
  messages.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
}

Status add_message(const json::value& message_value, const std::string& param,
                   Conversation& conversation) {
  if (!message_value.is_object()) return invalid(param, "message must be an object");
  const json::object& message = message_value.get_object();
  const json::value* role_value = field(message, "role");
  if (!role_value || !role_value->is_string()) {
    return invalid(member(param, "role"), "message role is required");
  }
  const std::string_view role = role_value->get_string();
  const std::string content_param = member(param, "content");
  const json::value* content = field(message, "content");
  json::array blocks;

  if (role == "system" || role == "developer") {
    return append_text(content ? *content : json::value(), content_param, conversation.system);
  }
  if (role == "user") {
    if (!content) return invalid(content_param, "user message content is required");
    if (auto s = append_content(*content, content_param, Parts::user, blocks); !s) return s;
    append_turn(conversation, "user", std::move(blocks));
    return {};
  }
  if (role == "assistant") {
    if (content) {
      if (auto s = append_content(*content, content_param, Parts::assistant, blocks); !s) return s;
    }
    if (const json::value* calls = field(message, "tool_calls")) {
      if (auto s = append_tool_calls(*calls, member(param, "tool_calls"), blocks); !s) return s;
    }
    if (field(message, "function_call")) {
      return invalid(member(param, "function_call"),
                     "function_call is not supported for Anthropic models; use tool_calls");
    }
    append_turn(conversation, "assistant", std::move(blocks));
    return {};
  }
  if (role == "tool") {
    auto block = tool_result_block(message, param);
    if (!block) return block.error();
    blocks.push_back(std::move(*block));
    append_turn(conversation, "user", std::move(blocks));
    return {};
  }
  return invalid(member(param, "role"),
                 "message role '" + std::string(role) + "' is not supported for Anthropic models");
}

}  // namespace

Result<Conversation> convert_messages(const json::object& request) {
  const json::value* messages = field(request, "messages");
  if (!messages || !messages->is_array()) {
    return invalid("messages", "messages is required and must be an array");
  }
  Conversation conversation;
  std::size_t i = 0;
  for (const json::value& message : messages->get_array()) {
    if (auto s = add_message(message, indexed("messages", i++), conversation); !s) {
      return s.error();
    }
  }
  if (conversation.messages.empty()) {
    return invalid("messages",
                   "messages must contain at least one non-empty user or assistant message");
  }
  return conversation;
}

}  // namespace sluice::gateway::anthropic
