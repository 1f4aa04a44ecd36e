#include <boost/json.hpp>

#include "core/json_text.hpp"
#include "gateway/providers/anthropic/anthropic_common.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;
using anthropic::object_field;
using anthropic::string_field;

long long index_field(const json::object& o) {
  const json::value* v = o.if_contains("index");
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<long long>(v->get_uint64());
  return -1;
}

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

}  // namespace

AnthropicStreamTranslator::AnthropicStreamTranslator(std::string response_model, bool include_usage,
                                                     long long created_unix)
    : model_(std::move(response_model)), include_usage_(include_usage), created_(created_unix) {}

void AnthropicStreamTranslator::ensure_header(std::string_view anthropic_id) {
  if (!header_.empty()) return;
  // Built once: every chunk repeats id, object, created and model verbatim.
  header_ = "{\"id\":";
  core::append_json_string(header_, anthropic::completion_id(anthropic_id));
  header_ += ",\"object\":\"chat.completion.chunk\",\"created\":";
  header_ += std::to_string(created_);
  header_ += ",\"model\":";
  core::append_json_string(header_, model_);
  header_ += ',';
}

std::string AnthropicStreamTranslator::chunk(std::string_view delta_json,
                                             std::string_view finish_reason_json) const {
  std::string out;
  out.reserve(header_.size() + delta_json.size() + 96);
  out += header_;
  out += "\"choices\":[{\"index\":0,\"delta\":";
  out += delta_json;
  out += ",\"logprobs\":null,\"finish_reason\":";
  out += finish_reason_json;
  out += "}]";
  // OpenAI marks every chunk but the last with "usage":null once the client asked for usage.
  if (include_usage_) out += ",\"usage\":null";
  out += '}';
  return out;
}

std::string AnthropicStreamTranslator::usage_chunk() const {
  return header_ + "\"choices\":[],\"usage\":" + json::serialize(anthropic::openai_usage(usage_)) +
         "}";
}

int AnthropicStreamTranslator::tool_index_of_block(long long block_index) const {
  for (const auto& [block, tool] : tool_index_by_block_) {
    if (block == block_index) return tool;
  }
  return -1;
}

Result<std::vector<std::string>> AnthropicStreamTranslator::on_event(std::string_view event,
                                                                     std::string_view data) {
  std::vector<std::string> out;
  if (done_ || event == "ping") return out;

  // Most events are a few hundred bytes: parse them without touching the heap.
  unsigned char buffer[4096];
  json::monotonic_resource resource(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value parsed = json::parse(data, ec, &resource);
  if (ec || !parsed.is_object()) {
    return make_error(Errc::bad_gateway, "malformed stream event from upstream");
  }
  const json::object& body = parsed.get_object();
  const std::string_view type = event.empty() ? string_field(body, "type") : event;

  if (type == "message_start") {
    const json::object* message = object_field(body, "message");
    ensure_header(message ? string_field(*message, "id") : std::string_view());
    if (message) {
      if (const json::object* usage = object_field(*message, "usage")) {
        anthropic::read_usage(*usage, usage_);
      }
    }
    out.push_back(chunk(R"({"role":"assistant","content":""})", "null"));
  } else if (type == "content_block_start") {
    ensure_header({});
    const json::object* block = object_field(body, "content_block");
    if (!block) return out;
    const std::string_view block_type = string_field(*block, "type");
    if (block_type == "text") {
      const std::string_view text = string_field(*block, "text");
      if (!text.empty()) out.push_back(chunk("{\"content\":" + quoted(text) + "}", "null"));
    } else if (block_type == "tool_use") {
      const int tool_index = static_cast<int>(tool_index_by_block_.size());
      tool_index_by_block_.emplace_back(index_field(body), tool_index);
      std::string delta = "{\"tool_calls\":[{\"index\":" + std::to_string(tool_index) + ",\"id\":";
      core::append_json_string(delta, string_field(*block, "id"));
      delta += ",\"type\":\"function\",\"function\":{\"name\":";
      core::append_json_string(delta, string_field(*block, "name"));
      delta += ",\"arguments\":\"\"}}]}";
      out.push_back(chunk(delta, "null"));
    }
    // thinking and server-tool blocks have no Chat Completions counterpart.
  } else if (type == "content_block_delta") {
    ensure_header({});
    const json::object* delta = object_field(body, "delta");
    if (!delta) return out;
    const std::string_view delta_type = string_field(*delta, "type");
    if (delta_type == "text_delta") {
      const std::string_view text = string_field(*delta, "text");
      if (!text.empty()) out.push_back(chunk("{\"content\":" + quoted(text) + "}", "null"));
    } else if (delta_type == "input_json_delta") {
      const int tool_index = tool_index_of_block(index_field(body));
      const std::string_view partial = string_field(*delta, "partial_json");
      if (tool_index < 0 || partial.empty()) return out;
      std::string openai_delta =
          "{\"tool_calls\":[{\"index\":" + std::to_string(tool_index) + ",\"function\":{";
      openai_delta += "\"arguments\":" + quoted(partial) + "}}]}";
      out.push_back(chunk(openai_delta, "null"));
    }
  } else if (type == "message_delta") {
    ensure_header({});
    if (const json::object* usage = object_field(body, "usage")) {
      anthropic::read_usage(*usage, usage_);
    }
    const json::object* delta = object_field(body, "delta");
    const json::value* stop = delta ? delta->if_contains("stop_reason") : nullptr;
    // Server tools may send several message_delta events; the turn finishes only once.
    if (stop && stop->is_string() && !finish_sent_) {
      finish_sent_ = true;
      out.push_back(chunk("{}", quoted(anthropic::finish_reason(stop->get_string()))));
    }
  } else if (type == "message_stop") {
    ensure_header({});
    done_ = true;
    if (!finish_sent_) {
      finish_sent_ = true;
      out.push_back(chunk("{}", "\"stop\""));
    }
    if (include_usage_) out.push_back(usage_chunk());
  } else if (type == "error") {
    return anthropic::error_from_object(object_field(body, "error"), 200);
  }
  // content_block_stop and event types added later carry nothing a client needs.
  return out;
}

}  // namespace sluice::gateway
