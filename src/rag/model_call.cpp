#include "rag/model_call.hpp"

#include <boost/json.hpp>

namespace sluice::rag {
namespace json = boost::json;

namespace {

// choices[0].<member>.content of a parsed response, empty when any step is missing.
std::string first_choice_content(std::string_view body, std::string_view member) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  const json::value* choices = parsed.get_object().if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) return {};
  const json::value& first = choices->get_array().front();
  if (!first.is_object()) return {};
  const json::value* message = first.get_object().if_contains(member);
  if (!message || !message->is_object()) return {};
  const json::value* content = message->get_object().if_contains("content");
  if (!content || !content->is_string()) return {};
  return std::string(content->get_string());
}

}  // namespace

json::object chat_body(std::string_view model, const std::vector<PromptMessage>& messages,
                       bool stream) {
  json::array array;
  array.reserve(messages.size());
  for (const PromptMessage& m : messages)
    array.push_back(json::object{{"role", m.role}, {"content", m.content}});
  json::object body{{"model", model}, {"messages", std::move(array)}, {"stream", stream}};
  if (stream) body["stream_options"] = json::object{{"include_usage", true}};
  return body;
}

std::string completion_text(std::string_view body) { return first_choice_content(body, "message"); }

std::string delta_text(std::string_view chunk_json) {
  return first_choice_content(chunk_json, "delta");
}

boost::asio::awaitable<bool> TextRelay::send(std::string_view chunk_json) {
  const std::string piece = delta_text(chunk_json);
  if (piece.empty()) co_return true;  // a role-only, usage or finish chunk
  text_ += piece;
  if (!out_) co_return true;
  co_return co_await out_->text(piece);
}

}  // namespace sluice::rag
