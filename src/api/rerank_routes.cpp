#include "api/rerank_routes.hpp"

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "core/ids.hpp"
#include "gateway/rerank/reranker.hpp"

namespace sluice::api {
using boost::asio::awaitable;

namespace {

awaitable<void> rerank(gateway::GatewayService& service, std::size_t max_documents,
                       http::Exchange& exchange) {
  ParsedBody parsed;
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold, {.answers = false}))
    co_return;
  auto request =
      gateway::parse_rerank_request(parsed.object, max_documents, "gateway.rerank.max_documents");
  if (!request) {
    exchange.response.set_error(request.error());
    co_return;
  }
  const std::string mock_headers = mock_header_lines(exchange.request);
  gateway::RerankContext context;
  context.trace = &exchange.trace;
  context.request_id = exchange.request_id;
  context.forward_headers = mock_headers;
  context.limits = request_limits(exchange, service, request->model);
  gateway::RerankOutcome ranked =
      co_await gateway::rerank(service, *request, context, caller_of(exchange));
  log_outcome(exchange, request->model, ranked.outcome);
  if (!ranked.outcome.ok) {
    set_failure(exchange, ranked.outcome);
    co_return;
  }
  exchange.response.set_json(200,
                             gateway::rerank_response_json(ranked.answer, *request, request->model,
                                                           "rerank-" + core::random_hex(12)));
  exchange.response.add_header("x-sluice-deployment", ranked.outcome.deployment);
  add_token_limit_headers(exchange.response, ranked.outcome.token_limit);
}

}  // namespace

void register_rerank_routes(http::Router& router, gateway::GatewayService& service,
                            std::size_t max_documents) {
  router.add(
      "POST", "/v1/rerank",
      [&service, max_documents](http::Exchange& exchange) {
        return rerank(service, max_documents, exchange);
      },
      http::RouteOptions{.model_route = true});
}

}  // namespace sluice::api
