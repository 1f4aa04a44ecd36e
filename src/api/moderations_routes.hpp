#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// OpenAI's POST /v1/moderations (model optional: omni-moderation-latest), routed like every model
// call (aliases, retries, fallbacks, limits, budgets, metrics, access log) to deployments whose
// provider has a moderations endpoint; the upstream's answer is relayed as it came.
void register_moderations_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
