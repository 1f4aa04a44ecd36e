#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// OpenAI's legacy Completions API, POST /v1/completions (JSON or SSE), translated to and from
// chat completions so that every provider answers it through the gateway's routing.
void register_completions_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
