#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// Canary releases (admin only, enforced by the API key filter; this replica's state, as each
// replica judges its own traffic): GET /v1/admin/canaries lists each canaried alias with its
// candidate, weights, rollback rule, last rollback and both versions' figures over the rule's
// window; POST /v1/admin/canaries/{alias}/rollback takes the candidate out now; POST
// /v1/admin/canaries/{alias}/resume puts a rolled-back candidate back at its configured weight
// with empty windows. Both answer the canary's state, and are idempotent. `service` must outlive
// the router.
void register_admin_canary_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
