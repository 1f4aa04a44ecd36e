// chat.completion.chunk stream -> Responses streaming events.
#include <boost/json.hpp>

#include "core/json_text.hpp"
#include "gateway/responses/responses_translate.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

json::object output_text_part(std::string_view text) {
  return {{"type", "output_text"},
          {"text", text},
          {"annotations", json::array()},
          {"logprobs", json::array()}};
}

}  // namespace

ResponsesStreamTranslator::ResponsesStreamTranslator(std::string response_id, long long created,
                                                     std::string model, const json::object* request)
    : base_(response_skeleton(response_id, created, model, request)),
      id_suffix_(response_id_suffix(response_id)) {}

void ResponsesStreamTranslator::feed(std::string_view chunk_json,
                                     std::vector<ResponsesEvent>& out) {
  if (finished_) return;
  // Parsed on the caller's stack, not in the (long-lived) translator.
  unsigned char buffer[2048];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::error_code ec;
  const json::value parsed = json::parse(chunk_json, ec, json::storage_ptr(&arena));
  const json::object* chunk = ec ? nullptr : parsed.if_object();
  if (!chunk) return;
  if (!started_) {
    if (const std::string_view model = string_field(*chunk, "model"); !model.empty())
      base_["model"] = model;
    start(out);
  }
  if (json::value usage = responses_usage_of(*chunk); usage.is_object())
    usage_ = std::move(usage.get_object());
  const json::value* choices = chunk->if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) return;
  const json::object* choice = choices->get_array().front().if_object();
  if (!choice) return;
  if (const json::value* delta = choice->if_contains("delta"); delta && delta->is_object()) {
    const json::object& d = delta->get_object();
    if (const std::string_view text = string_field(d, "content"); !text.empty()) on_text(text, out);
    if (const json::value* calls = d.if_contains("tool_calls"); calls && calls->is_array())
      for (const json::value& call : calls->get_array())
        if (call.is_object()) on_tool_delta(call.get_object(), out);
  }
  if (const std::string_view reason = string_field(*choice, "finish_reason"); !reason.empty()) {
    finish_reason_ = reason;
    close_items(out);
  }
}

void ResponsesStreamTranslator::start(std::vector<ResponsesEvent>& out) {
  started_ = true;
  emit("response.created", {{"response", response_snapshot("in_progress")}}, out);
  emit("response.in_progress", {{"response", response_snapshot("in_progress")}}, out);
}

void ResponsesStreamTranslator::on_text(std::string_view delta, std::vector<ResponsesEvent>& out) {
  if (!message_open_) {
    message_open_ = true;
    message_index_ = output_.size();
    output_.emplace_back(nullptr);
    message_id_ = "msg_" + id_suffix_;
    if (message_index_ > 0) {
      message_id_ += '_';
      message_id_ += std::to_string(message_index_);
    }
    json::object item{{"id", message_id_},
                      {"type", "message"},
                      {"status", "in_progress"},
                      {"role", "assistant"},
                      {"content", json::array()}};
    emit("response.output_item.added",
         {{"output_index", message_index_}, {"item", std::move(item)}}, out);
    emit("response.content_part.added",
         {{"item_id", message_id_},
          {"output_index", message_index_},
          {"content_index", 0},
          {"part", output_text_part("")}},
         out);
  }
  text_.append(delta);
  emit_delta("response.output_text.delta", message_id_, message_index_, true, delta, out);
}

void ResponsesStreamTranslator::on_tool_delta(const json::object& delta,
                                              std::vector<ResponsesEvent>& out) {
  const json::value* index = delta.if_contains("index");
  const long long chat_index = index && index->is_int64() ? index->get_int64() : 0;
  ToolCall* call = nullptr;
  for (ToolCall& c : tool_calls_)
    if (c.chat_index == chat_index) call = &c;
  if (!call) {
    close_message(out);  // text comes before the calls; a new item starts
    ToolCall& added = tool_calls_.emplace_back();
    added.chat_index = chat_index;
    added.output_index = output_.size();
    output_.emplace_back(nullptr);
    added.item_id = "fc_" + id_suffix_ + "_" + std::to_string(added.output_index);
    call = &added;
  }
  if (const std::string_view id = string_field(delta, "id"); !id.empty() && !call->added)
    call->call_id = id;
  std::string_view arguments;
  if (const json::value* fn = delta.if_contains("function"); fn && fn->is_object()) {
    if (!call->added) call->name += string_field(fn->get_object(), "name");
    arguments = string_field(fn->get_object(), "arguments");
  }
  call->arguments.append(arguments);
  if (!call->added) {
    if (!call->name.empty()) add_tool_call(*call, out);  // sends the arguments seen so far
  } else if (!arguments.empty()) {
    emit_delta("response.function_call_arguments.delta", call->item_id, call->output_index, false,
               arguments, out);
  }
}

void ResponsesStreamTranslator::add_tool_call(ToolCall& call, std::vector<ResponsesEvent>& out) {
  call.added = true;
  if (call.call_id.empty())
    call.call_id = "call_" + id_suffix_ + "_" + std::to_string(call.output_index);
  emit("response.output_item.added",
       {{"output_index", call.output_index},
        {"item", function_call_item(call.item_id, "in_progress", call.call_id, call.name, "")}},
       out);
  if (!call.arguments.empty())
    emit_delta("response.function_call_arguments.delta", call.item_id, call.output_index, false,
               call.arguments, out);
}

void ResponsesStreamTranslator::close_message(std::vector<ResponsesEvent>& out) {
  if (!message_open_) return;
  message_open_ = false;
  const std::string_view status =
      incomplete_reason(finish_reason_).empty() ? "completed" : "incomplete";
  emit("response.output_text.done",
       {{"item_id", message_id_},
        {"output_index", message_index_},
        {"content_index", 0},
        {"text", text_},
        {"logprobs", json::array()}},
       out);
  emit("response.content_part.done",
       {{"item_id", message_id_},
        {"output_index", message_index_},
        {"content_index", 0},
        {"part", output_text_part(text_)}},
       out);
  json::object item = message_item(message_id_, status, text_);
  emit("response.output_item.done", {{"output_index", message_index_}, {"item", item}}, out);
  output_[message_index_] = std::move(item);
  text_ = std::string();  // the text lives on in the item; free the buffer
}

void ResponsesStreamTranslator::close_items(std::vector<ResponsesEvent>& out) {
  close_message(out);
  const std::string_view status =
      incomplete_reason(finish_reason_).empty() ? "completed" : "incomplete";
  for (ToolCall& call : tool_calls_) {
    if (!call.added) add_tool_call(call, out);
    emit("response.function_call_arguments.done",
         {{"item_id", call.item_id},
          {"output_index", call.output_index},
          {"name", call.name},
          {"arguments", call.arguments}},
         out);
    json::object item =
        function_call_item(call.item_id, status, call.call_id, call.name, call.arguments);
    emit("response.output_item.done", {{"output_index", call.output_index}, {"item", item}}, out);
    output_[call.output_index] = std::move(item);
  }
  tool_calls_.clear();
}

void ResponsesStreamTranslator::finish(const Usage& fallback_usage,
                                       std::vector<ResponsesEvent>& out) {
  close(fallback_usage, out);
  complete(out);
}

void ResponsesStreamTranslator::close(const Usage& fallback_usage,
                                      std::vector<ResponsesEvent>& out) {
  if (finished_) return;
  if (!started_) start(out);
  close_items(out);
  finished_ = true;
  const std::string_view reason = incomplete_reason(finish_reason_);
  final_ = response_snapshot(reason.empty() ? "completed" : "incomplete");
  if (!reason.empty()) final_["incomplete_details"] = {{"reason", reason}};
  final_["usage"] = usage_.empty() ? responses_usage(fallback_usage) : usage_;
}

void ResponsesStreamTranslator::complete(std::vector<ResponsesEvent>& out) {
  if (final_.empty() || completed_) return;
  completed_ = true;
  const bool incomplete = string_field(final_, "status") == "incomplete";
  emit(incomplete ? "response.incomplete" : "response.completed", {{"response", final_}}, out);
}

void ResponsesStreamTranslator::fail(const Error& error, std::vector<ResponsesEvent>& out) {
  if (finished_) return;
  if (!started_) start(out);
  finished_ = true;
  const std::string code =
      error.code_detail.empty() ? std::string(openai_error_type(error.code)) : error.code_detail;
  json::value param = nullptr;
  if (!error.param.empty()) param = error.param;
  emit("error", {{"code", code}, {"message", error.message}, {"param", std::move(param)}}, out);
  json::object response = response_snapshot("failed");
  response["error"] = {{"code", code}, {"message", error.message}};
  if (!usage_.empty()) response["usage"] = usage_;
  emit("response.failed", {{"response", std::move(response)}}, out);
}

void ResponsesStreamTranslator::emit(std::string_view type, json::object fields,
                                     std::vector<ResponsesEvent>& out) {
  json::object event{{"type", type}, {"sequence_number", sequence_++}};
  for (auto& field : fields) event.emplace(field.key(), std::move(field.value()));
  out.push_back({std::string(type), json::serialize(event)});
}

// Deltas are most of a stream's events: rendered directly rather than through a JSON tree.
void ResponsesStreamTranslator::emit_delta(std::string_view type, std::string_view item_id,
                                           std::size_t output_index, bool with_content_index,
                                           std::string_view delta,
                                           std::vector<ResponsesEvent>& out) {
  ResponsesEvent& event = out.emplace_back();
  event.type = type;
  std::string& data = event.data;
  data.reserve(delta.size() + item_id.size() + 128);
  data = "{\"type\":";
  core::append_json_string(data, type);
  data += ",\"sequence_number\":";
  data += std::to_string(sequence_++);
  data += ",\"item_id\":";
  core::append_json_string(data, item_id);
  data += ",\"output_index\":";
  data += std::to_string(output_index);
  if (with_content_index) data += ",\"content_index\":0";
  data += ",\"delta\":";
  core::append_json_string(data, delta);
  if (with_content_index) data += ",\"logprobs\":[]";
  data += '}';
}

json::array ResponsesStreamTranslator::output_items() const {
  json::array output;
  for (const json::value& item : output_)
    if (!item.is_null()) output.push_back(item);
  return output;
}

json::object ResponsesStreamTranslator::response_snapshot(std::string_view status) const {
  json::object response = base_;
  response["status"] = status;
  response["output"] = output_items();
  return response;
}

}  // namespace sluice::gateway
