#pragma once
// A rerank upstream's answer (Jina's, Cohere's and vLLM's share it: results[].index and
// relevance_score), read and put in order, and the response the client gets.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "gateway/rerank/rerank_request.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

struct RerankResult {
  std::size_t index = 0;  // into the request's documents
  double relevance_score = 0;
};

struct RerankAnswer {
  std::string id;                     // the upstream's, when it gave one
  std::vector<RerankResult> results;  // by relevance_score, highest first; ties by index
  Usage usage;                        // prompt_tokens: what the upstream counted, else estimated
};

// Reads `body`, the upstream's answer to `request`: results sorted by score (ties by index) and
// cut to top_n; usage from usage.total_tokens or usage.prompt_tokens, else estimated from the
// bytes each query-document pair sends (marked so). An answer that is not a JSON object with a
// `results` array, a result without a numeric relevance_score, or an index that is not one of the
// request's documents (or repeats) is an Error saying which.
Result<RerankAnswer> parse_rerank_answer(std::string_view body, const RerankRequest& request);

// The client's response: {id, model, results: [{index, relevance_score, document?: {text}}],
// usage: {total_tokens}}; documents from `request` when it asked for them. `id` stands in when the
// upstream gave none.
std::string rerank_response_json(const RerankAnswer& answer, const RerankRequest& request,
                                 std::string_view model, std::string_view id);

}  // namespace sluice::gateway
