#pragma once

#include "core/config.hpp"
#include "gateway/gateway_service.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"

namespace sluice::api {

// OpenAI's Responses API, POST /v1/responses (JSON or SSE), translated to and from chat
// completions so that providers, routing, retries, usage and cost stay those of the gateway; and
// the stored responses (kept per process, within gateway.response_store.*, for their tenant):
// GET and DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items. The store's metrics join
// `registry`.
void register_responses_routes(http::Router& router, gateway::GatewayService& service,
                               const core::GatewayConfig& config, ops::Registry& registry);

}  // namespace sluice::api
