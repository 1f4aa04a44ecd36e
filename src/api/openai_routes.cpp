#include "api/openai_routes.hpp"

#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>

#include "api/budget_gate.hpp"
#include "api/gateway_outcome.hpp"
#include "api/json_body.hpp"
#include "api/rag_chat.hpp"
#include "api/sse_sink.hpp"
#include "api/tenant_access.hpp"
#include "core/json_read.hpp"
#include "gateway/model_list.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/request_validation.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Checks the request and fills `request` (its forwarded headers kept in `mock_headers`); false
// after answering the error. A plain function: its temporaries stay out of the handler's frame,
// which a stream holds to its end.
bool prepare_chat(gateway::GatewayService& service, http::Exchange& exchange, json::object& body,
                  gateway::ChatRequest& request, std::string& mock_headers) {
  if (auto bad = invalid_timeout_header(exchange)) {
    exchange.response.set_error(*bad);
    return false;
  }
  if (auto valid = gateway::validate_chat_request(body); !valid.ok()) {
    exchange.response.set_error(valid.error());
    return false;
  }
  request.body = &body;
  request.raw_body = exchange.request.body;
  request.model = std::string(body.at("model").as_string());
  if (const auto* stream = body.if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) {
      exchange.response.set_error(
          make_error(Errc::invalid_request, "'stream' must be a boolean", "stream"));
      return false;
    }
    request.stream = stream->as_bool();
  }
  request.include_usage = gateway::usage_requested(body);
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  request.limits = request_limits(exchange, service, request.model);
  mock_headers = mock_header_lines(exchange.request);
  request.forward_headers = mock_headers;
  request.canary_key = exchange.request.header(kCanaryKeyHeader);
  return true;
}

awaitable<void> chat_completions(gateway::GatewayService& service, RagChat* rag,
                                 http::Exchange& exchange) {
  ParsedBody parsed;  // lives in the coroutine frame: no allocation of its own
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  if (auto refused = model_refused(exchange, core::string_field(parsed.object, "model"))) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!admit_spend(exchange, service.budget_guard(), parsed.object, spend_hold)) co_return;
  if (rag && RagChat::wants(parsed.object)) {
    if (auto bad = invalid_timeout_header(exchange)) {
      exchange.response.set_error(*bad);
      co_return;
    }
    co_await rag->handle(exchange, parsed.object);
    co_return;
  }
  gateway::ChatRequest request;
  std::string mock_headers;
  if (!prepare_chat(service, exchange, parsed.object, request, mock_headers)) co_return;

  SseSink sink(exchange, service.metrics());
  gateway::Outcome outcome = co_await service.chat(request, &sink, caller_of(exchange));
  log_outcome(exchange, request.model, outcome);
  if (outcome.ok) {
    if (request.stream) {
      co_await sink.finish();
    } else {
      exchange.response.set_json(200, std::move(outcome.body));
      add_served_by(exchange.response, outcome);
      add_token_limit_headers(exchange.response, outcome.token_limit);
    }
  } else if (sink.started()) {
    if (can_tell_client(outcome)) co_await sink.fail(outcome.error);
  } else {
    set_failure(exchange, outcome);
  }
}

awaitable<void> embeddings(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;  // lives in the coroutine frame: no allocation of its own
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  json::object* body = &parsed.object;
  if (auto refused = model_refused(exchange, core::string_field(*body, "model"))) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!admit_spend(exchange, service.budget_guard(), *body, spend_hold, false)) co_return;
  if (auto bad = invalid_timeout_header(exchange)) {
    exchange.response.set_error(*bad);
    co_return;
  }
  if (auto valid = gateway::validate_embeddings_request(*body); !valid.ok()) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  gateway::EmbeddingsRequest request;
  request.body = &*body;
  request.raw_body = exchange.request.body;
  request.model = std::string(body->at("model").as_string());
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  request.limits = request_limits(exchange, service, request.model);
  gateway::Outcome outcome = co_await service.embeddings(request, caller_of(exchange));
  log_outcome(exchange, request.model, outcome);
  if (outcome.ok) {
    exchange.response.set_json(200, std::move(outcome.body));
    exchange.response.add_header("x-sluice-deployment", outcome.deployment);
    add_token_limit_headers(exchange.response, outcome.token_limit);
  } else {
    set_failure(exchange, outcome);
  }
}

// The gateway's models, then rag/<collection> for each collection when answers are served.
awaitable<void> list_models(gateway::GatewayService& service, RagChat* rag,
                            http::Exchange& exchange) {
  std::vector<gateway::ListedModel> models = service.catalog().listed_models();
  if (rag) {
    auto collections = co_await rag->models(scope_of(exchange));
    if (!collections) {
      exchange.response.set_error(collections.error());
      co_return;
    }
    models.insert(models.end(), collections->begin(), collections->end());
  }
  std::erase_if(models, [&exchange](const gateway::ListedModel& model) {
    return !model_visible(exchange, model.id);
  });
  exchange.response.set_json(200, gateway::model_list_json(models));
}

awaitable<void> retrieve_model(gateway::GatewayService& service, RagChat* rag,
                               http::Exchange& exchange) {
  constexpr std::string_view kPrefix = "/v1/models/";
  const auto encoded =
      boost::urls::make_pct_string_view(exchange.request.path.substr(kPrefix.size()));
  const std::string id = encoded ? encoded->decode() : std::string();
  if (!model_visible(exchange, id)) {
    exchange.response.set_error(gateway::model_not_found(id));
    co_return;
  }
  // rag/ ids are answered by collections, as chat completions route them.
  if (rag && id.starts_with(kRagModelPrefix)) {
    auto model = co_await rag->model(scope_of(exchange), id);
    if (model)
      exchange.response.set_json(200, gateway::model_json(*model));
    else if (model.error().code == Errc::not_found)
      exchange.response.set_error(gateway::model_not_found(id));
    else
      exchange.response.set_error(model.error());
    co_return;
  }
  if (auto model = service.catalog().find_model(id)) {
    exchange.response.set_json(200, gateway::model_json(*model));
    co_return;
  }
  exchange.response.set_error(gateway::model_not_found(id));
}

}  // namespace

void register_openai_routes(http::Router& router, gateway::GatewayService& service, RagChat* rag) {
  const http::RouteOptions model_route{.model_route = true};
  router.add(
      "POST", "/v1/chat/completions",
      [&service, rag](http::Exchange& exchange) {
        return chat_completions(service, rag, exchange);
      },
      model_route);
  router.add(
      "POST", "/v1/embeddings",
      [&service](http::Exchange& exchange) { return embeddings(service, exchange); }, model_route);
  router.add("GET", "/v1/models", [&service, rag](http::Exchange& exchange) {
    return list_models(service, rag, exchange);
  });
  // Ids may hold a '/' ("openai/gpt-4o", "groq/meta-llama/llama-4"), sent as is or as %2F (the
  // openai SDK): templates match one segment each, so every depth an id may span is registered.
  for (const char* target : {"/v1/models/{model}", "/v1/models/{provider}/{model}",
                             "/v1/models/{provider}/{organization}/{model}"})
    router.add("GET", target, [&service, rag](http::Exchange& exchange) {
      return retrieve_model(service, rag, exchange);
    });
}

}  // namespace sluice::api
