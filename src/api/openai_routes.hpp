#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// The OpenAI-compatible API: POST /v1/chat/completions (JSON or SSE), POST /v1/embeddings,
// GET /v1/models and /v1/models/{model}.
void register_openai_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
