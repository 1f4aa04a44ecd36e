#pragma once

#include <string_view>

#include "ops/metrics.hpp"

namespace sluice::rag {

// The answer path's metrics, named as the original RAG API named them.
class RagMetrics {
 public:
  explicit RagMetrics(ops::Registry& registry);

  // One finished query: status success, error or cached; its duration in seconds.
  void query(std::string_view status, double seconds);
  void cache_hit() { cache_hits_.inc({}); }

 private:
  ops::CounterFamily& queries_;
  ops::HistogramFamily& duration_;
  ops::CounterFamily& cache_hits_;
};

}  // namespace sluice::rag
