#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// OpenAI's Responses API, POST /v1/responses (JSON or SSE), translated to and from chat
// completions so that providers, routing, retries, usage and cost stay those of the gateway.
void register_responses_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
