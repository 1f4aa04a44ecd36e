#include "rag/ingest_metrics.hpp"

namespace sluice::rag {

IngestMetrics::IngestMetrics(ops::Registry& registry)
    : documents_(registry.counter("sluice_ingest_documents_total",
                                  "Ingest jobs run to an end, by result: indexed, superseded (a "
                                  "newer version won), retried, dead.",
                                  {"result"})),
      bytes_(registry.counter("sluice_ingest_bytes_total", "Bytes of documents indexed.", {})),
      chunks_(registry.counter("sluice_ingest_chunks_total", "Chunks stored by ingestion.", {})),
      duration_(registry.histogram("sluice_ingest_duration_seconds",
                                   "Time to ingest one document version (parse, chunk, embed, "
                                   "store), whatever its result.",
                                   {}, ops::default_duration_buckets())) {}

void IngestMetrics::record(std::string_view result, int64_t bytes, int64_t chunks,
                           std::chrono::steady_clock::duration duration) {
  documents_.inc({result});
  if (bytes > 0) bytes_.inc({}, static_cast<double>(bytes));
  if (chunks > 0) chunks_.inc({}, static_cast<double>(chunks));
  duration_.observe({}, std::chrono::duration<double>(duration).count());
}

}  // namespace sluice::rag
