#include "api/moderations_routes.hpp"

#include <boost/json.hpp>

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "core/json_read.hpp"
#include "gateway/moderation/moderation_request.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// An answer the client can use: an object with a `results` array (what OpenAI sends).
Status check_moderation(std::string_view body, gateway::Usage&) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* results = object ? object->if_contains("results") : nullptr;
  if (!results || !results->is_array())
    return make_error(Errc::bad_gateway, "not a moderation object with a 'results' array");
  return {};
}

awaitable<void> moderations(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(
          exchange, service, parsed, spend_hold,
          {.answers = false, .default_model = gateway::kDefaultModerationModel}))
    co_return;
  if (auto inputs = gateway::moderation_inputs(parsed.object); !inputs) {
    exchange.response.set_error(inputs.error());
    co_return;
  }
  const std::string mock_headers = mock_header_lines(exchange.request);
  gateway::EndpointRequest request;
  request.endpoint = gateway::Endpoint::moderations;
  request.body = &parsed.object;
  request.raw_body = exchange.request.body;
  request.model = std::string(core::string_field(parsed.object, "model"));
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  request.forward_headers = mock_headers;
  request.limits = request_limits(exchange, service, request.model);
  gateway::Outcome outcome = co_await service.call(request, caller_of(exchange), check_moderation);
  log_outcome(exchange, request.model, outcome);
  if (!outcome.ok) {
    set_failure(exchange, outcome);
    co_return;
  }
  exchange.response.set_json(200, std::move(outcome.body));
  exchange.response.add_header("x-sluice-deployment", outcome.deployment);
  add_token_limit_headers(exchange.response, outcome.token_limit);
}

}  // namespace

void register_moderations_routes(http::Router& router, gateway::GatewayService& service) {
  router.add(
      "POST", "/v1/moderations",
      [&service](http::Exchange& exchange) { return moderations(service, exchange); },
      http::RouteOptions{.model_route = true});
}

}  // namespace sluice::api
