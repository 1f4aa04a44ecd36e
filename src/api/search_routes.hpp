#pragma once

#include <cstddef>

#include "http/router.hpp"
#include "rag/retriever.hpp"

namespace sluice::api {

// POST /v1/collections/{collection}/search {query, top_k?, mode?, fusion?, alpha?, filters?}
// -> {"object":"list","data":[hits],"modes","index_version","took_ms"}. top_k is cut to
// `max_top_k`; a collection still loading is a 503 with Retry-After.
void register_search_routes(http::Router& router, rag::Retriever& retriever, std::size_t max_top_k);

}  // namespace sluice::api
