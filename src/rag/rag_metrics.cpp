#include "rag/rag_metrics.hpp"

namespace sluice::rag {

RagMetrics::RagMetrics(ops::Registry& registry)
    : queries_(registry.counter("rag_queries_total",
                                "Questions answered, by status: success, error or cached.",
                                {"status"})),
      duration_(registry.histogram("rag_query_duration_seconds",
                                   "Time to answer a question, retrieval and model included.", {},
                                   ops::default_duration_buckets())),
      cache_hits_(registry.counter("rag_cache_hits_total",
                                   "Questions answered from the exact answer cache.", {})) {
  // Every status from the first scrape, so that rates over them need no absent-series care.
  for (std::string_view status : {"success", "error", "cached"}) queries_.inc({status}, 0);
  cache_hits_.inc({}, 0);
}

void RagMetrics::query(std::string_view status, double seconds) {
  queries_.inc({status});
  duration_.observe({}, seconds);
}

}  // namespace sluice::rag
