#pragma once

#include <cstddef>

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

// POST /v1/rerank in Cohere's and Jina's shape, routed through the gateway (gateway::rerank) to
// deployments whose provider has a rerank endpoint; at most `max_documents` documents a request
// (gateway.rerank.max_documents).
void register_rerank_routes(http::Router& router, gateway::GatewayService& service,
                            std::size_t max_documents);

}  // namespace sluice::api
