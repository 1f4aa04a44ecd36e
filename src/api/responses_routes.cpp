#include "api/responses_routes.hpp"

#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "api/gateway_outcome.hpp"
#include "api/json_body.hpp"
#include "api/model_call.hpp"
#include "api/sse_sink.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "gateway/providers/request_validation.hpp"
#include "gateway/responses/response_items.hpp"
#include "gateway/responses/response_store.hpp"
#include "gateway/responses/response_store_metrics.hpp"
#include "gateway/responses/responses_translate.hpp"
#include "ops/blocking_pool.hpp"
#include "ops/logger.hpp"

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
  void on_canary(std::string_view version) override { writer_.set_canary(version); }
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
  // can refer to it, and that event's `store` says whether it was.
  void close(const gateway::Usage& usage) { translator_.close(usage, events_); }
  // After close(): the Response the client receives in response.completed.
  const boost::json::object& final_response() const { return translator_.final_response(); }
  void complete(bool stored) {
    if (!stored) translator_.not_stored();
    translator_.complete(events_);
  }

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

// Stored responses are their tenant's conversations.
std::string_view owner_of(const http::Exchange& exchange) {
  return exchange.principal ? std::string_view(exchange.principal->tenant) : std::string_view();
}

// Keeps what `body` (the Responses request), `chat` (its translation) and `response` (the Response
// the client receives; `response_json` its text when already rendered) make, for the caller's
// tenant. False when the response is too large for the store: it is answered all the same, with
// `store: false`, and the log says why it cannot be retrieved.
bool keep(gateway::ResponseStore& store, const http::Exchange& exchange,
          std::string_view response_id, const json::object& body, const json::object& chat,
          const json::object& response, std::string response_json = {}) {
  gateway::StoredResponse stored =
      gateway::stored_response(body, chat, response, std::move(response_json));
  stored.owner = std::string(owner_of(exchange));
  if (store.put(response_id, std::move(stored))) return true;
  ops::logger().warn("response not stored: larger than an eighth of the store",
                     {{"request_id", exchange.request_id},
                      {"response_id", response_id},
                      {"key", "gateway.response_store.max_bytes"}});
  return false;
}

// OpenAI's 404 for a response that is not (or no longer, or not the caller's tenant's) stored.
Error response_not_found(std::string_view id) {
  return make_error(Errc::not_found,
                    "Response with id '" + std::string(id) +
                        "' not found. Sluice keeps responses created with store: true in one "
                        "instance's memory, for the tenant that created them, up to "
                        "gateway.response_store.max_bytes and gateway.response_store.max_entries "
                        "(the least recently used go first); a restart loses them and other "
                        "replicas never had them.",
                    "response_id");
}

awaitable<void> create_response(gateway::GatewayService& service, gateway::ResponseStore& store,
                                http::Exchange& exchange) {
  ParsedBody parsed;              // lives in the coroutine frame: no allocation of its own
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  const json::object& body = parsed.object;
  auto chat = gateway::chat_request_from_responses(body, &store, owner_of(exchange));
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
  // A response too large to store says `store: false`: the client learns it cannot refer to it.
  const bool store_requested = gateway::store_requested(body);
  if (request.stream) {
    sink.close(outcome.usage);
    sink.complete(!store_requested ||
                  keep(store, exchange, response_id, body, *chat, sink.final_response()));
    co_await sink.flush();
    co_return;
  }
  auto response =
      gateway::response_from_chat(outcome.body, response_id, created, &body, &outcome.usage);
  if (response) {
    std::string text = json::serialize(*response);
    if (store_requested && !keep(store, exchange, response_id, body, *chat, *response, text)) {
      (*response)["store"] = false;
      text = json::serialize(*response);
    }
    exchange.response.set_json(200, std::move(text));
  } else {
    exchange.response.set_error(response.error());
  }
  add_served_by(exchange.response, outcome);
  add_token_limit_headers(exchange.response, outcome.token_limit);
}

// The `id` of /v1/responses/{id}, percent-decoded (the SDKs encode path segments).
std::string response_id_of(const http::Exchange& exchange) {
  const auto encoded = boost::urls::make_pct_string_view(exchange.request.param("id"));
  return encoded ? encoded->decode() : std::string(exchange.request.param("id"));
}

// A query parameter, percent-decoded; nullopt when absent (or its encoding is broken: then the
// raw value, which matches no id and fails any other check).
std::optional<std::string> query_value(const http::Exchange& exchange, std::string_view name) {
  const auto raw = exchange.request.query_param(name);
  if (!raw) return std::nullopt;
  const auto encoded = boost::urls::make_pct_string_view(*raw);
  return encoded ? encoded->decode() : std::string(*raw);
}

// One page of a stored response's input items (`items_json`), as JSON text.
Result<std::string> items_page_json(std::string_view items_json,
                                    const gateway::ItemsPageQuery& query, std::string_view id) {
  json::error_code ec;
  const json::value items = json::parse(items_json, ec);
  if (ec || !items.is_array()) return response_not_found(id);
  auto page = gateway::items_page(items.get_array(), query);
  if (!page) return page.error();
  return json::serialize(*page);
}

awaitable<void> retrieve_response(gateway::ResponseStore& store, http::Exchange& exchange) {
  const std::string id = response_id_of(exchange);
  if (const auto stream = query_value(exchange, "stream"); stream && *stream == "true") {
    exchange.response.set_error(make_error(
        Errc::invalid_request,
        "stream=true is not supported: stored responses are retrieved whole, and Sluice has no "
        "background responses to follow.",
        "stream", "unsupported_parameter"));
    co_return;
  }
  const auto stored = store.response(id, owner_of(exchange));
  if (!stored || stored->object.empty()) {
    exchange.response.set_error(response_not_found(id));
    co_return;
  }
  exchange.response.set_json(200, stored->object);
}

awaitable<void> delete_response(gateway::ResponseStore& store, http::Exchange& exchange) {
  const std::string id = response_id_of(exchange);
  if (!store.erase(id, owner_of(exchange))) {
    exchange.response.set_error(response_not_found(id));
    co_return;
  }
  exchange.response.set_json(
      200, json::serialize(json::object{{"id", id}, {"object", "response"}, {"deleted", true}}));
}

awaitable<void> list_input_items(gateway::ResponseStore& store, http::Exchange& exchange) {
  const std::string id = response_id_of(exchange);
  auto query =
      gateway::items_page_query(query_value(exchange, "after"), query_value(exchange, "limit"),
                                query_value(exchange, "order"));
  if (!query) {
    exchange.response.set_error(query.error());
    co_return;
  }
  const auto stored = store.response(id, owner_of(exchange));
  if (!stored) {
    exchange.response.set_error(response_not_found(id));
    co_return;
  }
  // Items may carry images inline: large ones are parsed on the blocking pool, as request bodies
  // are.
  auto render = [&] { return items_page_json(stored->input_items, *query, id); };
  std::optional<Result<std::string>> page;
  if (stored->input_items.size() > kParseOnPoolBytes) {
    Result<std::string> rendered = co_await ops::run_blocking(render);
    page.emplace(std::move(rendered));
  } else {
    page.emplace(render());
  }
  if (!*page) {
    exchange.response.set_error(page->error());
    co_return;
  }
  exchange.response.set_json(200, std::move(**page));
}

}  // namespace

void register_responses_routes(http::Router& router, gateway::GatewayService& service,
                               const core::GatewayConfig& config, ops::Registry& registry) {
  // One per process, shared by every event-loop thread; see response_store.hpp for its scope.
  auto store = std::make_shared<gateway::ResponseStore>(
      config.response_store_max_bytes, static_cast<std::size_t>(config.response_store_max_entries));
  gateway::register_response_store_metrics(registry, store);
  router.add(
      "POST", "/v1/responses",
      [&service, store](http::Exchange& exchange) {
        return create_response(service, *store, exchange);
      },
      http::RouteOptions{.model_route = true});
  router.add("GET", "/v1/responses/{id}",
             [store](http::Exchange& exchange) { return retrieve_response(*store, exchange); });
  router.add("DELETE", "/v1/responses/{id}",
             [store](http::Exchange& exchange) { return delete_response(*store, exchange); });
  router.add("GET", "/v1/responses/{id}/input_items",
             [store](http::Exchange& exchange) { return list_input_items(*store, exchange); });
}

}  // namespace sluice::api
