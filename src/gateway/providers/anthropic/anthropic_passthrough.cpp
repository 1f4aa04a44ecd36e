#include "gateway/providers/anthropic/anthropic_passthrough.hpp"

#include <boost/json.hpp>

#include "gateway/providers/anthropic/anthropic_common.hpp"
#include "gateway/providers/outgoing_body.hpp"

namespace sluice::gateway {
namespace json = boost::json;
using anthropic::object_field;
using anthropic::string_field;

namespace {

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

// The event's type: its `event:` name, else (an upstream that sends data lines only) the "type"
// its data names.
std::string_view event_type(const SseEvent& event, const json::object* data) {
  if (!event.event.empty() || !data) return event.event;
  return string_field(*data, "type");
}

}  // namespace

std::string messages_upstream_body(const MessagesRequest& request,
                                   std::string_view upstream_model) {
  if (const auto spliced = OutgoingBody::with_model(request.raw_body, upstream_model))
    return spliced->unchanged() ? std::string() : spliced->text();
  json::object copy = *request.body;
  copy["model"] = upstream_model;
  return json::serialize(copy);
}

std::string anthropic_dialect_headers(std::string_view client_version, std::string_view client_beta,
                                      std::string_view default_version) {
  std::string lines;
  append_header(lines, "anthropic-version",
                client_version.empty() ? default_version : client_version);
  if (!client_beta.empty()) append_header(lines, "anthropic-beta", client_beta);
  return lines;
}

std::optional<MessagesAnswer> read_messages_answer(std::string_view body) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* message = ec ? nullptr : parsed.if_object();
  if (!message || string_field(*message, "type") != "message") return std::nullopt;
  AnthropicUsage counts;
  const json::object* usage = object_field(*message, "usage");
  if (usage) anthropic::read_usage(*usage, counts);
  MessagesAnswer answer;
  answer.usage = counts.to_usage();
  answer.usage.reported = usage != nullptr;
  if (const std::string_view stop = string_field(*message, "stop_reason"); !stop.empty())
    answer.finish_reason = anthropic::finish_reason(stop);
  return answer;
}

std::optional<long long> read_token_count(std::string_view body) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* answer = ec ? nullptr : parsed.if_object();
  const json::value* count = answer ? answer->if_contains("input_tokens") : nullptr;
  // Boost.JSON reads every whole number that fits as int64 (uint64 only those beyond it).
  if (!count || !count->is_int64() || count->get_int64() < 0) return std::nullopt;
  return count->get_int64();
}

std::optional<AttemptResult> MessagesEventRelay::on_event(const SseEvent& event,
                                                          std::vector<std::string_view>& chunks) {
  if (done_) return std::nullopt;
  const std::string_view name = event.event;
  // Only the events that carry usage, the end or an error are read; text and tool deltas, the
  // bulk of a stream, go on unparsed.
  const bool read =
      name.empty() || name == "message_start" || name == "message_delta" || name == "error";
  unsigned char buffer[4096];  // on the caller's stack, not in the stream's frame
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::value parsed;
  if (read) {
    json::error_code ec;
    parsed = json::parse(event.data, ec, json::storage_ptr(&arena));
  }
  const json::object* data = parsed.if_object();
  const std::string_view type = event_type(event, data);
  if (type == "message_start" || type == "message_delta") {
    const json::object* holder = data;
    if (data && type == "message_start") holder = object_field(*data, "message");
    if (const json::object* usage = holder ? object_field(*holder, "usage") : nullptr) {
      anthropic::read_usage(*usage, usage_);  // cumulative counts, as Anthropic reports them
      usage_seen_ = true;
    }
    if (const json::object* delta = data ? object_field(*data, "delta") : nullptr)
      if (const std::string_view stop = string_field(*delta, "stop_reason"); !stop.empty())
        finish_reason_ = anthropic::finish_reason(stop);
  } else if (type == "message_stop") {
    done_ = true;
  } else if (type == "error") {
    Error error = anthropic::error_from_object(data ? object_field(*data, "error") : nullptr, 200);
    if (!relayed_)
      return AttemptResult::failure(core::outcome_for_status(http_status(error.code)),
                                    std::move(error));
    upstream_error_ = std::move(error);
    done_ = true;
  }
  type_ = name;
  relayed_ = true;
  chunks.push_back(event.data);
  return std::nullopt;
}

boost::asio::awaitable<bool> MessagesEventRelay::deliver(ChunkSink&, std::string_view piece) {
  return sink_.send_event(type_, piece);
}

std::string_view MessagesEventRelay::finish_reason_of(std::string_view) const {
  return finish_reason_;
}

std::optional<AttemptResult> MessagesEventRelay::finish() {
  if (upstream_error_) {
    const core::AttemptOutcome outcome =
        core::outcome_for_status(http_status(upstream_error_->code));
    return AttemptResult::failure(outcome, std::move(*upstream_error_));
  }
  if (done_) return std::nullopt;
  return AttemptResult::failure(
      core::AttemptOutcome::protocol,
      make_error(Errc::bad_gateway, "upstream ended the stream before message_stop"));
}

void MessagesEventRelay::account(Usage& usage) const {
  if (usage_seen_) usage = usage_.to_usage();
}

}  // namespace sluice::gateway
