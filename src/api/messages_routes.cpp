#include "api/messages_routes.hpp"

#include <boost/json.hpp>
#include <vector>

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "api/sse_sink.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "gateway/ingress/messages_translate.hpp"
#include "gateway/providers/request_validation.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Streams the answer as Messages events, translated from the chat chunks the gateway relays.
class MessagesSink final : public gateway::ChunkSink {
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
  // Usage counted by the gateway stands in when the upstream reported none.
  awaitable<void> finish(const gateway::Usage& usage) {
    translator_.finish(usage, events_);
    co_await flush();
  }
  awaitable<void> fail(const Error& error) {
    translator_.fail(error, events_);
    co_await flush();
  }

 private:
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
};

// Errors of these routes, whoever set them (filters, body parsing, the gateway), in Anthropic's
// shape; overload is 529 as at Anthropic.
void anthropic_error_shape(http::Response& response, std::string_view request_id) {
  if (response.status < 400 || response.content_type != "application/json") return;
  auto rendered = gateway::anthropic_error_from_openai(response.status, response.body, request_id);
  response.status = rendered.status;
  response.body = std::move(rendered.body);
}

// The request translated and checked; false after answering the error.
bool chat_of(http::Exchange& exchange, const json::object& body, json::object& chat) {
  auto translated = gateway::chat_request_from_messages(body);
  if (!translated) {
    exchange.response.set_error(translated.error());
    return false;
  }
  if (auto valid = gateway::validate_chat_request(*translated); !valid.ok()) {
    exchange.response.set_error(valid.error());
    return false;
  }
  chat = std::move(*translated);
  return true;
}

awaitable<void> create_message(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;              // lives in the coroutine frame: no allocation of its own
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  json::object chat;
  if (!chat_of(exchange, parsed.object, chat)) co_return;
  const std::string chat_body = json::serialize(chat);
  std::string mock_headers;
  const gateway::ChatRequest request =
      translated_chat_request(exchange, service, chat, chat_body, mock_headers);

  const std::string message_id = "msg_" + core::random_hex(12);
  MessagesSink sink(exchange, message_id, request.model, gateway::estimate_message_tokens(chat),
                    service.metrics());
  gateway::Outcome outcome = co_await service.chat(request, &sink, caller_of(exchange));
  log_outcome(exchange, request.model, outcome);
  if (!outcome.ok) {
    if (!sink.started())
      set_failure(exchange, outcome);
    else if (can_tell_client(outcome))
      co_await sink.fail(outcome.error);
    co_return;
  }
  if (request.stream) {
    co_await sink.finish(outcome.usage);
    co_return;
  }
  auto message =
      gateway::message_from_chat(outcome.body, message_id, request.model, &outcome.usage);
  if (!message) {
    exchange.response.set_error(message.error());
    co_return;
  }
  exchange.response.set_json(200, std::move(*message));
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
  if (!chat_of(exchange, body, chat)) co_return;
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
