#include "api/completions_routes.hpp"

#include <boost/json.hpp>

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "api/sse_sink.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "gateway/ingress/completions_translate.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/request_validation.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Streams text_completion chunks (`data: <json>`, then `data: [DONE]`), translated from the chat
// chunks the gateway relays.
class CompletionsSink final : public gateway::ChunkSink {
 public:
  CompletionsSink(http::Exchange& exchange, std::string id, long long created, std::string model,
                  bool include_usage, gateway::GatewayMetrics& metrics)
      : writer_(exchange, &metrics),
        id_(std::move(id)),
        created_(created),
        model_(std::move(model)),
        include_usage_(include_usage) {}

  void on_attempt(std::string_view deployment) override { writer_.set_deployment(deployment); }
  void on_canary(std::string_view version) override { writer_.set_canary(version); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    writer_.set_token_limit(report);
  }
  bool started() const override { return writer_.started(); }
  awaitable<bool> send(std::string_view chunk_json) override {
    const std::string chunk =
        gateway::completion_chunk_from_chat(chunk_json, id_, created_, model_, include_usage_);
    if (chunk.empty()) co_return true;
    co_return co_await writer_.write({}, chunk);
  }
  awaitable<void> finish() { co_await writer_.write({}, "[DONE]"); }
  awaitable<void> fail(const Error& error) {
    const std::string body = render_error_body(error);  // a named local: see SseSink::fail
    co_await writer_.write({}, body);
  }

 private:
  SseWriter writer_;
  std::string id_;
  long long created_;
  std::string model_;
  bool include_usage_;
};

awaitable<void> create_completion(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;              // lives in the coroutine frame: no allocation of its own
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  auto chat = gateway::chat_request_from_completions(parsed.object);
  if (!chat) {
    exchange.response.set_error(chat.error());
    co_return;
  }
  if (auto valid = gateway::validate_chat_request(*chat); !valid.ok()) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  const std::string chat_body = json::serialize(*chat);
  std::string mock_headers;
  const gateway::ChatRequest request =
      translated_chat_request(exchange, service, *chat, chat_body, mock_headers);

  const std::string id = "cmpl-" + core::random_hex(12);
  const long long created = core::unix_seconds();
  CompletionsSink sink(exchange, id, created, request.model,
                       gateway::usage_requested(parsed.object), service.metrics());
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
    co_await sink.finish();
    co_return;
  }
  auto completion =
      gateway::completion_from_chat(outcome.body, id, created, request.model, &outcome.usage);
  if (!completion) {
    exchange.response.set_error(completion.error());
    co_return;
  }
  exchange.response.set_json(200, std::move(*completion));
  add_served_by(exchange.response, outcome);
  add_token_limit_headers(exchange.response, outcome.token_limit);
}

}  // namespace

void register_completions_routes(http::Router& router, gateway::GatewayService& service) {
  router.add(
      "POST", "/v1/completions",
      [&service](http::Exchange& exchange) { return create_completion(service, exchange); },
      http::RouteOptions{.model_route = true});
}

}  // namespace sluice::api
