// chat.completion.chunk stream -> Messages streaming events.
#include <boost/json.hpp>

#include "core/json_read.hpp"
#include "gateway/ingress/messages_translate.hpp"
#include "gateway/providers/openai/openai_wire.hpp"

namespace sluice::gateway {
namespace json = boost::json;

using core::string_field;

MessagesStreamTranslator::MessagesStreamTranslator(std::string message_id, std::string model,
                                                   long long input_tokens_estimate)
    : id_(std::move(message_id)),
      model_(std::move(model)),
      input_estimate_(input_tokens_estimate) {}

void MessagesStreamTranslator::feed(std::string_view chunk_json, std::vector<MessagesEvent>& out) {
  if (finished_) return;
  unsigned char buffer[2048];  // parsed on the caller's stack, not in the long-lived translator
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::error_code ec;
  const json::value parsed = json::parse(chunk_json, ec, json::storage_ptr(&arena));
  const json::object* chunk = ec ? nullptr : parsed.if_object();
  if (!chunk) return;
  if (!started_) {
    if (const std::string_view model = string_field(*chunk, "model"); !model.empty())
      model_ = model;
    start(out);
  }
  read_usage(*chunk, usage_);  // the include_usage chunk's
  const json::value* choices = chunk->if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) return;
  const json::object* choice = choices->get_array().front().if_object();
  if (!choice) return;
  if (const json::value* delta = choice->if_contains("delta"); delta && delta->is_object()) {
    const json::object& d = delta->get_object();
    if (const std::string_view text = string_field(d, "content"); !text.empty()) {
      open_text(out);
      emit("content_block_delta",
           {{"index", block_index_}, {"delta", {{"type", "text_delta"}, {"text", text}}}}, out);
    }
    if (const json::value* calls = d.if_contains("tool_calls"); calls && calls->is_array())
      for (const json::value& call : calls->get_array())
        if (call.is_object()) on_tool_delta(call.get_object(), out);
  }
  if (const std::string_view reason = string_field(*choice, "finish_reason"); !reason.empty()) {
    finish_reason_ = reason;
    close_block(out);
  }
}

void MessagesStreamTranslator::start(std::vector<MessagesEvent>& out) {
  started_ = true;
  json::object message{{"id", id_},
                       {"type", "message"},
                       {"role", "assistant"},
                       {"model", model_},
                       {"content", json::array()},
                       {"stop_reason", nullptr},
                       {"stop_sequence", nullptr},
                       {"usage",
                        {{"input_tokens", input_estimate_},
                         {"cache_creation_input_tokens", 0},
                         {"cache_read_input_tokens", 0},
                         {"output_tokens", 0}}}};
  emit("message_start", {{"message", std::move(message)}}, out);
  emit("ping", {}, out);
}

void MessagesStreamTranslator::open_text(std::vector<MessagesEvent>& out) {
  if (block_ == Block::text) return;
  close_block(out);
  block_ = Block::text;
  ++block_index_;
  emit("content_block_start",
       {{"index", block_index_}, {"content_block", {{"type", "text"}, {"text", ""}}}}, out);
}

// Chat streams a call's id and name with its first delta, then argument fragments under the same
// index; a new index is the next call.
void MessagesStreamTranslator::on_tool_delta(const json::object& call,
                                             std::vector<MessagesEvent>& out) {
  long long index = tool_chat_index_ < 0 ? 0 : tool_chat_index_;
  if (const json::value* i = call.if_contains("index"); i && i->is_int64()) index = i->get_int64();
  const json::object* function = call.if_contains("function") && call.at("function").is_object()
                                     ? &call.at("function").get_object()
                                     : nullptr;
  if (block_ != Block::tool || index != tool_chat_index_) {
    close_block(out);
    block_ = Block::tool;
    tool_chat_index_ = index;
    ++block_index_;
    std::string id(string_field(call, "id"));
    if (id.empty()) id = "toolu_" + id_.substr(id_.find('_') + 1) + "_" + std::to_string(index);
    emit("content_block_start",
         {{"index", block_index_},
          {"content_block",
           {{"type", "tool_use"},
            {"id", id},
            {"name", function ? string_field(*function, "name") : std::string_view()},
            {"input", json::object()}}}},
         out);
  }
  if (!function) return;
  if (const std::string_view arguments = string_field(*function, "arguments"); !arguments.empty())
    emit("content_block_delta",
         {{"index", block_index_},
          {"delta", {{"type", "input_json_delta"}, {"partial_json", arguments}}}},
         out);
}

void MessagesStreamTranslator::close_block(std::vector<MessagesEvent>& out) {
  if (block_ == Block::none) return;
  block_ = Block::none;
  emit("content_block_stop", {{"index", block_index_}}, out);
}

void MessagesStreamTranslator::finish(const Usage& fallback_usage,
                                      std::vector<MessagesEvent>& out) {
  if (finished_) return;
  if (!started_) start(out);
  close_block(out);
  finished_ = true;
  const Usage& usage = usage_.reported ? usage_ : fallback_usage;
  emit("message_delta",
       {{"delta", {{"stop_reason", stop_reason_of(finish_reason_)}, {"stop_sequence", nullptr}}},
        {"usage", anthropic_usage(usage)}},
       out);
  emit("message_stop", {}, out);
}

void MessagesStreamTranslator::fail(const Error& error, std::vector<MessagesEvent>& out) {
  if (finished_) return;
  finished_ = true;
  const AnthropicError rendered = anthropic_error(error);
  out.push_back({"error", rendered.body});
}

void MessagesStreamTranslator::emit(std::string_view type, json::object event,
                                    std::vector<MessagesEvent>& out) {
  json::object framed{{"type", type}};
  for (auto& [key, value] : event) framed[key] = std::move(value);
  out.push_back({std::string(type), json::serialize(framed)});
}

}  // namespace sluice::gateway
