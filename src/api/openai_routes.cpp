#include "api/openai_routes.hpp"

#include <strings.h>

#include <boost/json.hpp>

#include "api/gateway_outcome.hpp"
#include "api/json_body.hpp"
#include "api/sse_sink.hpp"
#include "gateway/model_list.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/request_validation.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// The request's x-mock-* headers as header lines, for providers that forward them.
std::string mock_header_lines(const http::Request& request) {
  constexpr std::string_view kPrefix = "x-mock-";
  std::string lines;
  for (const auto& [name, value] : request.headers) {
    if (name.size() > kPrefix.size() &&
        strncasecmp(name.data(), kPrefix.data(), kPrefix.size()) == 0)
      lines.append(name).append(": ").append(value).append("\r\n");
  }
  return lines;
}

awaitable<void> chat_completions(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;  // lives in the coroutine frame: no allocation of its own
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  json::object* body = &parsed.object;
  if (auto bad = invalid_timeout_header(exchange)) {
    exchange.response.set_error(*bad);
    co_return;
  }
  if (auto valid = gateway::validate_chat_request(*body); !valid.ok()) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  gateway::ChatRequest request;
  request.body = &*body;
  request.raw_body = exchange.request.body;
  request.model = std::string(body->at("model").as_string());
  if (const auto* stream = body->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) {
      exchange.response.set_error(
          make_error(Errc::invalid_request, "'stream' must be a boolean", "stream"));
      co_return;
    }
    request.stream = stream->as_bool();
  }
  request.include_usage = gateway::usage_requested(*body);
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  request.limits = request_limits(exchange, service, request.model);
  const std::string mock_headers = mock_header_lines(exchange.request);
  request.forward_headers = mock_headers;

  SseSink sink(exchange, service.metrics());
  gateway::Outcome outcome = co_await service.chat(request, &sink, caller_of(exchange));
  log_outcome(exchange, request.model, outcome);
  if (outcome.ok) {
    if (request.stream) {
      co_await sink.finish();
    } else {
      exchange.response.set_json(200, std::move(outcome.body));
      exchange.response.add_header("x-sluice-deployment", outcome.deployment);
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
  } else {
    set_failure(exchange, outcome);
  }
}

}  // namespace

void register_openai_routes(http::Router& router, gateway::GatewayService& service) {
  const http::RouteOptions model_route{.model_route = true};
  router.add(
      "POST", "/v1/chat/completions",
      [&service](http::Exchange& exchange) { return chat_completions(service, exchange); },
      model_route);
  router.add(
      "POST", "/v1/embeddings",
      [&service](http::Exchange& exchange) { return embeddings(service, exchange); }, model_route);
  router.add("GET", "/v1/models", [&service](http::Exchange& exchange) -> awaitable<void> {
    exchange.response.set_json(200, gateway::models_json(service.model_ids()));
    co_return;
  });
  router.add("GET", "/v1/models/{model}", [&service](http::Exchange& exchange) -> awaitable<void> {
    const std::string_view wanted = exchange.request.param("model");
    for (const auto& id : service.model_ids())
      if (id == wanted) {
        json::object model{{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "sluice"}};
        exchange.response.set_json(200, json::serialize(model));
        co_return;
      }
    exchange.response.set_error(make_error(
        Errc::not_found,
        "The model `" + std::string(wanted) + "` does not exist or you do not have access to it.",
        "model", "model_not_found"));
  });
}

}  // namespace sluice::api
