#pragma once

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

class RagChat;

// The OpenAI-compatible API: POST /v1/chat/completions (JSON or SSE), POST /v1/embeddings,
// GET /v1/models and /v1/models/{model}. With `rag`, model "rag/<collection>" on chat
// completions answers from that collection (api/rag_chat.hpp).
void register_openai_routes(http::Router& router, gateway::GatewayService& service,
                            RagChat* rag = nullptr);

}  // namespace sluice::api
