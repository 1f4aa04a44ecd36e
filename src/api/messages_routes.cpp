#include "api/messages_routes.hpp"

#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "api/sse_sink.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "core/strings.hpp"
#include "gateway/ingress/messages_translate.hpp"
#include "gateway/providers/request_validation.hpp"
#include "gateway/token_estimate.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Streams the answer as Messages events: the upstream's own, relayed as they come, when the
// deployment speaks Messages; else translated from the chat chunks the gateway relays.
class MessagesSink final : public gateway::MessagesStreamSink {
 public:
  MessagesSink(http::Exchange& exchange, std::string message_id, std::string model,
               long long input_estimate, gateway::GatewayMetrics& metrics)
      : writer_(exchange, &metrics),
        translator_(std::move(message_id), std::move(model), input_estimate) {}

  void on_attempt(std::string_view deployment) override { writer_.set_deployment(deployment); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    writer_.set_token_limit(report);
  }
  bool started() const override { return writer_.started(); }

  awaitable<bool> send(std::string_view chunk_json) override {
    translator_.feed(chunk_json, events_);
    co_return co_await flush();
  }
  // Not a coroutine: an event costs the writer's frame only.
  awaitable<bool> send_event(std::string_view type, std::string_view data) override {
    passed_through_ = true;
    if (type == "error") error_sent_ = true;
    if (data.find('\n') == std::string_view::npos) return writer_.write(type, data);
    return send_lines(type, data);
  }
  // Usage counted by the gateway stands in when the upstream reported none. A relayed stream
  // has already had its end.
  awaitable<void> finish(const gateway::Usage& usage) {
    if (passed_through_) co_return;
    translator_.finish(usage, events_);
    co_await flush();
  }
  awaitable<void> fail(const Error& error) {
    if (!passed_through_) {
      translator_.fail(error, events_);
      co_await flush();
      co_return;
    }
    if (error_sent_) co_return;  // the upstream's own error event went out
    error_sent_ = true;
    const gateway::AnthropicError rendered = gateway::anthropic_error(error);
    co_await writer_.write("error", rendered.body);
  }

 private:
  // Each line of a multi-line data field on a data: line of its own, as the upstream framed it.
  awaitable<bool> send_lines(std::string_view type, std::string_view data) {
    std::string lines;
    for (const char c : data) {
      if (c == '\n')
        lines += "\ndata: ";
      else
        lines += c;
    }
    co_return co_await writer_.write(type, lines);
  }
  awaitable<bool> flush() {
    bool ok = true;
    for (const auto& event : events_)
      if (ok) ok = co_await writer_.write(event.type, event.data);
    events_.clear();
    co_return ok;
  }

  SseWriter writer_;
  gateway::MessagesStreamTranslator translator_;
  std::vector<gateway::MessagesEvent> events_;  // reused for every chunk
  bool passed_through_ = false;  // the upstream's events are relayed, not translated chunks
  bool error_sent_ = false;
};

// Errors of these routes, whoever set them (filters, body parsing, the gateway), in Anthropic's
// shape; overload is 529 as at Anthropic.
void anthropic_error_shape(http::Response& response, std::string_view request_id) {
  if (response.status < 400 || response.content_type != "application/json") return;
  auto rendered = gateway::anthropic_error_from_openai(response.status, response.body, request_id);
  response.status = rendered.status;
  response.body = std::move(rendered.body);
}

// The request translated and checked into `chat` (allocated as `chat` is), or why it cannot be.
Status chat_of(const json::object& body, json::object& chat) {
  auto translated = gateway::chat_request_from_messages(body, chat.storage());
  if (!translated) return translated.error();
  if (auto valid = gateway::validate_chat_request(*translated); !valid.ok()) return valid.error();
  chat = std::move(*translated);
  return {};
}

// A Messages request in chat's form, for deployments that need it, in an arena of its own: a
// request of many blocks is as many nodes, which the arena frees at once.
struct ChatForm {
  json::monotonic_resource arena;
  json::object chat{json::storage_ptr(&arena)};
  std::string body;  // `chat` serialized: what providers send when they change nothing
  Status status;     // why the request cannot be said in chat, when it cannot
  long long input_estimate = 0;
};

void translate(const json::object& request, std::size_t request_bytes, ChatForm& out) {
  out.status = chat_of(request, out.chat);
  if (out.status.ok()) {
    out.body = json::serialize(out.chat);
    out.input_estimate = gateway::estimate_message_tokens(out.chat);
  } else {
    out.input_estimate = gateway::estimate_tokens_from_bytes(request_bytes);
  }
}

// The value of every `name` header, comma-joined as HTTP allows (the SDKs send anthropic-beta
// once, with its flags comma-separated, but a client may repeat it).
std::string joined_header(const http::Request& request, std::string_view name) {
  std::string value;
  for (const auto& [header, text] : request.headers) {
    if (!core::iequals(header, name)) continue;
    if (!value.empty()) value += ',';
    value += text;
  }
  return value;
}

// What the gateway needs of a Messages request whatever answers it: its model, and whether it
// streams. Other problems are the translation's (for deployments that need chat) or the
// upstream's to find.
std::optional<Error> unroutable(const json::object& body) {
  const json::value* model = body.if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty())
    return make_error(Errc::invalid_request, "model: Field required", "model");
  const json::value* stream = body.if_contains("stream");
  if (stream && !stream->is_null() && !stream->is_bool())
    return make_error(Errc::invalid_request, "stream: Input should be a boolean", "stream");
  return std::nullopt;
}

// The anthropic-* headers go upstream as header lines: a line break in one would add lines of
// the client's choosing.
std::optional<Error> unsendable_header(std::string_view name, std::string_view value) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos)
    return std::nullopt;
  return make_error(Errc::invalid_request, std::string(name) + ": must not contain line breaks",
                    std::string(name), "invalid_header");
}

std::optional<Error> unsendable_headers(const gateway::MessagesRequest& request) {
  if (auto bad = unsendable_header("anthropic-version", request.anthropic_version)) return bad;
  return unsendable_header("anthropic-beta", request.anthropic_beta);
}

awaitable<void> create_message(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;              // lives in the coroutine frame: no allocation of its own
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  if (auto refused = unroutable(parsed.object)) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::MessagesRequest request;
  request.body = &parsed.object;
  request.raw_body = exchange.request.body;
  request.anthropic_version = exchange.request.header("anthropic-version");
  const std::string beta = joined_header(exchange.request, "anthropic-beta");
  request.anthropic_beta = beta;
  if (auto bad = unsendable_headers(request)) {
    exchange.response.set_error(*bad);
    co_return;
  }
  // The chat form, for deployments that need it; what chat cannot say still reaches those that
  // speak Messages. Large requests are translated on the blocking pool, as they were parsed.
  ChatForm form;
  if (request.raw_body.size() > kParseOnPoolBytes)
    co_await ops::run_blocking([&] { translate(parsed.object, request.raw_body.size(), form); });
  else
    translate(parsed.object, request.raw_body.size(), form);
  const bool translated = form.status.ok();
  std::string mock_headers;
  request.chat = translated_chat_request(exchange, service, translated ? form.chat : parsed.object,
                                         translated ? form.body : request.raw_body, mock_headers);
  if (!translated) {
    request.chat.body = nullptr;
    request.chat_error = form.status.error();
  }

  const std::string message_id = "msg_" + core::random_hex(12);
  MessagesSink sink(exchange, message_id, request.chat.model, form.input_estimate,
                    service.metrics());
  gateway::Outcome outcome = co_await service.messages(request, &sink, caller_of(exchange));
  log_outcome(exchange, request.chat.model, outcome);
  if (!outcome.ok) {
    if (!sink.started())
      set_failure(exchange, outcome);
    else if (can_tell_client(outcome))
      co_await sink.fail(outcome.error);
    co_return;
  }
  if (request.chat.stream) {
    co_await sink.finish(outcome.usage);
    co_return;
  }
  if (outcome.passed_through) {
    exchange.response.set_json(200, std::move(outcome.body));
  } else {
    auto message =
        gateway::message_from_chat(outcome.body, message_id, request.chat.model, &outcome.usage);
    if (!message) {
      exchange.response.set_error(message.error());
      co_return;
    }
    exchange.response.set_json(200, std::move(*message));
  }
  exchange.response.add_header("x-sluice-deployment", outcome.deployment);
  add_token_limit_headers(exchange.response, outcome.token_limit);
}

// An estimate (about 4 bytes a token, as the gateway counts usage an upstream did not report):
// the same request may cost a little more or less at the upstream that answers it.
awaitable<void> count_tokens(http::Exchange& exchange) {
  ParsedBody parsed;
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  if (auto refused = model_refused(exchange, core::string_field(parsed.object, "model"))) {
    exchange.response.set_error(*refused);
    co_return;
  }
  json::object& body = parsed.object;
  if (!body.contains("max_tokens")) body["max_tokens"] = 1;  // counting needs none
  json::object chat;
  if (const Status translated = chat_of(body, chat); !translated.ok()) {
    exchange.response.set_error(translated.error());
    co_return;
  }
  exchange.response.set_json(
      200, json::serialize(json::object{{"input_tokens", gateway::estimate_message_tokens(chat)}}));
}

}  // namespace

void register_messages_routes(http::Router& router, gateway::GatewayService& service) {
  const http::RouteOptions options{.model_route = true, .rewrite_error = anthropic_error_shape};
  router.add(
      "POST", "/v1/messages",
      [&service](http::Exchange& exchange) { return create_message(service, exchange); }, options);
  router.add(
      "POST", "/v1/messages/count_tokens",
      [](http::Exchange& exchange) { return count_tokens(exchange); }, options);
}

}  // namespace sluice::api
