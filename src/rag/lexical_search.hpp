#pragma once

#include <string>
#include <vector>

#include "rag/chunk_filter.hpp"
#include "rag/lexical_data.hpp"
#include "rag/lexical_index.hpp"

namespace sluice::rag {

// Top-k BM25 over `data` (the caller holds it stable): MaxScore with block-max bounds. See
// LexicalIndex for the ranking contract.
std::vector<LexicalHit> search_lexical(const LexicalData& data,
                                       const std::vector<std::string>& query_terms,
                                       std::size_t top_k, const ChunkFilter* filter);

}  // namespace sluice::rag
