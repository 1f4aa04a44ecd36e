#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// Anthropic's Messages API, POST /v1/messages (JSON or SSE) and POST /v1/messages/count_tokens,
// translated to and from chat completions so that aliases, providers, retries, usage and cost
// stay those of the gateway. Every error on these routes, the filters' included, is in
// Anthropic's shape.
void register_messages_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
