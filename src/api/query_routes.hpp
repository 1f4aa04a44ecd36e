#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"
#include "rag/answerer.hpp"

namespace sluice::api {

// POST /v1/query (JSON, or SSE with "stream": true) and POST /query, the original RAG API's
// alias (same fields; the collection defaults to rag.default_collection).
//
// The stream: `event: citations` {citations (every passage), model, template_version, modes,
// collection, request_id}, then `event: delta` {"delta": text} per piece of the answer, then
// `event: done` with the whole response (citations narrowed to the cited ones, usage), then
// `data: [DONE]`. A failure midway is an `event: error` {"error": {...}} in place of the rest.
void register_query_routes(http::Router& router, rag::Answerer& answerer,
                           gateway::GatewayService& service);

}  // namespace sluice::api
