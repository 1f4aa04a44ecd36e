#pragma once

#include <cstdint>
#include <string_view>

#include "core/ids.hpp"
#include "ops/span.hpp"
#include "store/records.hpp"

namespace sluice::rag {

struct SearchResult;

// The INTERNAL span of the retrieval behind an answer: named "retrieval {collection name}",
// with the collection, top_k, what ran (modes) and how many passages came back; error status
// when the search failed (`found` null).
ops::Span retrieval_span(const core::TraceContext& context, const store::Collection& collection,
                         std::size_t top_k, const SearchResult* found, uint64_t start_unix_nanos,
                         uint64_t end_unix_nanos);

// The INTERNAL span of generating an answer from the passages: named "answer {model}" (the
// model asked, or "extractive"), parent of the model call's attempts; error status when it
// failed.
ops::Span answer_span(const core::TraceContext& context, std::string_view model,
                      std::size_t passages, bool failed, uint64_t start_unix_nanos,
                      uint64_t end_unix_nanos);

}  // namespace sluice::rag
