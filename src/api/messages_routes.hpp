#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// Anthropic's Messages API, POST /v1/messages (JSON or SSE) and POST /v1/messages/count_tokens,
// routed by the gateway so that aliases, retries, fallbacks, usage and cost stay its own: passed
// through as the client wrote it (but for the model, with its anthropic-version and
// anthropic-beta headers) to deployments whose provider speaks Messages, translated to and from
// chat completions for the others. Token counts come from the model's Anthropic deployments,
// else from Sluice's estimate (x-sluice-token-count says which). Every error on these routes,
// the filters' included, is in Anthropic's shape; every response carries request-id (Sluice's
// id, as x-request-id) and, when an Anthropic upstream answered, anthropic-request-id (its id).
void register_messages_routes(http::Router& router, gateway::GatewayService& service);

}  // namespace sluice::api
