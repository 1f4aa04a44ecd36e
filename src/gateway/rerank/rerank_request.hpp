#pragma once
// Rerank requests in the shape Cohere and Jina defined (POST /v1/rerank, also served by vLLM and
// others): {model, query, documents: [string | {text}], top_n?, return_documents?}, checked before
// anything is sent, and the body that goes upstream.

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::gateway {

struct RerankRequest {
  std::string model;
  std::string query;
  std::vector<std::string> documents;
  std::optional<std::size_t> top_n;  // absent: every document, ranked
  bool return_documents = true;      // results carry document.text (Jina's default)
};

// The request a client sent. A missing or empty model or query, documents that are not a
// non-empty array of strings or {text} objects, more than `max_documents` of them (a 400 naming
// `max_documents_key`, the config key that raises the bound, when not empty), a top_n that is not a
// whole number of at least 1, or a return_documents that is not a boolean are 400s naming the
// param. A top_n beyond the number of documents ranks them all.
Result<RerankRequest> parse_rerank_request(const boost::json::object& body,
                                           std::size_t max_documents,
                                           std::string_view max_documents_key);

// What goes upstream: {model, query, documents (strings), top_n when given}. Documents come back
// from the gateway's own copy, so they are not asked for.
boost::json::object rerank_upstream_body(const RerankRequest& request);

}  // namespace sluice::gateway
