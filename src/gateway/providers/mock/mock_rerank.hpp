#pragma once
// The mock providers' rerank model: a deterministic lexical score, so tests can predict the order.
// Shared by `sluice mock-upstream` and the in-process `mock` provider.

#include <string>
#include <string_view>

#include "gateway/rerank/rerank_request.hpp"

namespace sluice::gateway {

// A document's score for `query`: the share of the query's distinct words (lower-cased runs of
// ASCII letters and digits, and any non-ASCII bytes) that the document contains, from 0 to 1.
double mock_rerank_score(std::string_view query, std::string_view document);

// Jina's rerank answer: {id, model, results: [{index, relevance_score, document?: {text}}] by
// score (ties by index), cut to top_n, usage: {total_tokens}} (tokens as the mock counts them).
std::string mock_rerank_json(const RerankRequest& request, std::string_view model);

}  // namespace sluice::gateway
