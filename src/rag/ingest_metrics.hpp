#pragma once

#include <chrono>
#include <cstdint>

#include "ops/metrics.hpp"

namespace sluice::rag {

// sluice_ingest_*: what the ingestion workers did. Job states and the queue's age are rendered by
// store::JobStats from its periodic reading.
class IngestMetrics {
 public:
  explicit IngestMetrics(ops::Registry& registry);

  // result: indexed | superseded | retried | dead
  void record(std::string_view result, int64_t bytes, int64_t chunks,
              std::chrono::steady_clock::duration duration);

 private:
  ops::CounterFamily& documents_;
  ops::CounterFamily& bytes_;
  ops::CounterFamily& chunks_;
  ops::HistogramFamily& duration_;
};

}  // namespace sluice::rag
