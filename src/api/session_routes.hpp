#pragma once

#include "core/config.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

namespace sluice::api {

// Conversations: POST /v1/sessions {collection?} -> {id, object: "session", collection,
// created_at}; GET /v1/sessions/{id} (with its messages, oldest first, each with its citations);
// DELETE /v1/sessions/{id}. The collection defaults to rag.default_collection.
void register_session_routes(http::Router& router, store::Store& store,
                             const core::RagConfig& config);

}  // namespace sluice::api
