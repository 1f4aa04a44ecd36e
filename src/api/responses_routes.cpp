#include "api/responses_routes.hpp"

#include <boost/json.hpp>
#include <memory>
#include <vector>

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "api/sse_sink.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "gateway/providers/request_validation.hpp"
#include "gateway/responses/response_store.hpp"
#include "gateway/responses/responses_translate.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Streams the answer as Responses events (`event: <type>\ndata: <json>\n\n`), translated from the
// chat chunks the gateway relays.
class ResponsesSink final : public gateway::ChunkSink {
 public:
  ResponsesSink(http::Exchange& exchange, std::string response_id, long long created,
                std::string model, const json::object* request, gateway::GatewayMetrics& metrics)
      : writer_(exchange, &metrics),
        translator_(std::move(response_id), created, std::move(model), request) {}

  void on_attempt(std::string_view deployment) override { writer_.set_deployment(deployment); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    writer_.set_token_limit(report);
  }
  bool started() const override { return writer_.started(); }

  awaitable<bool> send(std::string_view chunk_json) override {
    translator_.feed(chunk_json, events_);
    co_return co_await flush();
  }

  // Usage counted by the gateway stands in when the upstream reported none. The final events wait
  // for flush(): the response is stored first, so a client acting on response.completed at once
  // can refer to it.
  void finish(const gateway::Usage& usage) { translator_.finish(usage, events_); }
  boost::json::array output_items() const { return translator_.output_items(); }

  awaitable<void> fail(const Error& error) {
    translator_.fail(error, events_);
    co_await flush();
  }

  awaitable<bool> flush() {
    bool ok = true;
    for (const auto& event : events_)
      if (ok) ok = co_await writer_.write(event.type, event.data);
    events_.clear();
    co_return ok;
  }

 private:
  SseWriter writer_;
  gateway::ResponsesStreamTranslator translator_;
  std::vector<gateway::ResponsesEvent> events_;  // reused for every chunk
};

gateway::StoredResponse owned(std::string_view owner, gateway::StoredResponse response) {
  response.owner = std::string(owner);
  return response;
}

awaitable<void> create_response(gateway::GatewayService& service, gateway::ResponseStore& store,
                                http::Exchange& exchange) {
  ParsedBody parsed;              // lives in the coroutine frame: no allocation of its own
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  const json::object& body = parsed.object;
  // Stored responses are their tenant's conversations.
  const std::string_view owner =
      exchange.principal ? std::string_view(exchange.principal->tenant) : std::string_view();
  auto chat = gateway::chat_request_from_responses(body, &store, owner);
  if (!chat) {
    exchange.response.set_error(chat.error());
    co_return;
  }
  if (auto valid = gateway::validate_chat_request(*chat); !valid.ok()) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  // Providers send raw_body as is when they change nothing: it must be the chat request.
  const std::string chat_body = json::serialize(*chat);
  std::string mock_headers;
  const gateway::ChatRequest request =
      translated_chat_request(exchange, service, *chat, chat_body, mock_headers);

  const std::string response_id = "resp_" + core::random_hex(24);
  const long long created = core::unix_seconds();
  ResponsesSink sink(exchange, response_id, created, request.model, &body, service.metrics());
  gateway::Outcome outcome = co_await service.chat(request, &sink, caller_of(exchange));
  log_outcome(exchange, request.model, outcome);
  if (!outcome.ok) {
    if (!sink.started())
      set_failure(exchange, outcome);
    else if (can_tell_client(outcome))
      co_await sink.fail(outcome.error);
    co_return;
  }
  // Only answers that ended well are stored (incomplete ones too: their items reached the client).
  const bool keep = gateway::store_requested(body);
  if (request.stream) {
    sink.finish(outcome.usage);
    if (keep)
      store.put(response_id,
                owned(owner, gateway::stored_response(body, *chat, sink.output_items())));
    co_await sink.flush();
    co_return;
  }
  auto response =
      gateway::response_from_chat(outcome.body, response_id, created, &body, &outcome.usage);
  if (response) {
    if (keep)
      store.put(response_id, owned(owner, gateway::stored_response(
                                              body, *chat, response->at("output").as_array())));
    exchange.response.set_json(200, json::serialize(*response));
  } else {
    exchange.response.set_error(response.error());
  }
  exchange.response.add_header("x-sluice-deployment", outcome.deployment);
  add_token_limit_headers(exchange.response, outcome.token_limit);
}

}  // namespace

void register_responses_routes(http::Router& router, gateway::GatewayService& service) {
  // One per process, shared by every event-loop thread; see response_store.hpp for its scope.
  auto store = std::make_shared<gateway::ResponseStore>();
  router.add(
      "POST", "/v1/responses",
      [&service, store](http::Exchange& exchange) {
        return create_response(service, *store, exchange);
      },
      http::RouteOptions{.model_route = true});
}

}  // namespace sluice::api
