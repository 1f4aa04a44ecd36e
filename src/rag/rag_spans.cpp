#include "rag/rag_spans.hpp"

#include "ops/tracer.hpp"
#include "rag/retriever.hpp"

namespace sluice::rag {

ops::Span retrieval_span(const core::TraceContext& context, const store::Collection& collection,
                         std::size_t top_k, const SearchResult* found, uint64_t start_unix_nanos,
                         uint64_t end_unix_nanos) {
  ops::Span span = ops::Tracer::span_for(context, ops::SpanKind::internal);
  span.name = "retrieval " + collection.name;
  span.start_unix_nanos = start_unix_nanos;
  span.end_unix_nanos = end_unix_nanos;
  span.add("sluice.rag.collection", std::string_view(collection.name));
  span.add("sluice.rag.collection_id", std::string_view(collection.id));
  span.add("sluice.rag.top_k", static_cast<int64_t>(top_k));
  if (found) {
    span.add("sluice.rag.hits", static_cast<int64_t>(found->hits.size()));
    std::string modes;
    for (const std::string& mode : found->modes) modes += (modes.empty() ? "" : ",") + mode;
    span.add("sluice.rag.modes", std::move(modes));
    if (found->degraded) span.add("sluice.rag.degraded", true);
  } else {
    span.status = ops::SpanStatus::error;
  }
  return span;
}

ops::Span answer_span(const core::TraceContext& context, std::string_view model,
                      std::size_t passages, bool failed, uint64_t start_unix_nanos,
                      uint64_t end_unix_nanos) {
  ops::Span span = ops::Tracer::span_for(context, ops::SpanKind::internal);
  span.name = "answer " + std::string(model);
  span.start_unix_nanos = start_unix_nanos;
  span.end_unix_nanos = end_unix_nanos;
  span.add("gen_ai.request.model", model);
  span.add("sluice.rag.passages", static_cast<int64_t>(passages));
  if (failed) span.status = ops::SpanStatus::error;
  return span;
}

}  // namespace sluice::rag
