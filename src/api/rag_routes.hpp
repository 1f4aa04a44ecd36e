#pragma once

#include "api/rag_api.hpp"
#include "http/router.hpp"

namespace sluice::api {

// POST|GET /v1/collections, GET|DELETE /v1/collections/{c} ({c}: id or name).
void register_collection_routes(http::Router& router, RagApi& api);
// POST|GET /v1/collections/{c}/documents, GET|DELETE /v1/collections/{c}/documents/{id}.
void register_document_routes(http::Router& router, RagApi& api);
// GET /v1/jobs/{id}; admin: GET /v1/admin/jobs, POST /v1/admin/jobs/{id}/retry.
void register_job_routes(http::Router& router, RagApi& api);

// All of the above: the document API. `api` must outlive the router.
inline void register_document_api(http::Router& router, RagApi& api) {
  register_collection_routes(router, api);
  register_document_routes(router, api);
  register_job_routes(router, api);
}

// Collection names: 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit, and not
// shaped like an id (col_...), since {c} in a path is either.
bool is_valid_collection_name(std::string_view name);

}  // namespace sluice::api
