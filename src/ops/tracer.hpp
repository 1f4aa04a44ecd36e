#pragma once

#include <chrono>
#include <cstdint>

#include "core/ids.hpp"
#include "ops/span.hpp"
#include "ops/span_queue.hpp"
#include "ops/trace_metrics.hpp"
#include "ops/trace_sampler.hpp"

namespace sluice::ops {

// Where the request path hands finished spans. Recording never waits and takes no lock shared
// across threads per span: each thread keeps its spans and moves them to the export queue in
// batches (every kThreadBatch spans, and at flush_thread(), which each event loop calls on its
// tick). Spans that do not fit in the queue are dropped and counted.
class Tracer {
 public:
  static constexpr std::size_t kThreadBatch = 64;

  Tracer(SpanQueue& queue, TraceSampler sampler, TraceMetrics& metrics)
      : queue_(queue), sampler_(sampler), metrics_(metrics) {}

  // Whether the request of `trace` is recorded.
  bool sampled(const core::TraceContext& trace) const { return sampler_.sampled(trace); }
  // A span of `context`: its trace id, its span id as the span's, its parent as the parent.
  static Span span_for(const core::TraceContext& context, SpanKind kind);
  // A new child context of `parent`: same trace, `parent.span_id` as the parent, a fresh span
  // id, and the sampled flag as decided.
  static core::TraceContext child_of(const core::TraceContext& parent, bool sampled);
  // The wall-clock time of `at`, in nanoseconds since the Unix epoch (OTLP's timestamps).
  static uint64_t unix_nanos(std::chrono::steady_clock::time_point at);

  void record(Span span);
  // Moves this thread's recorded spans to the export queue.
  void flush_thread();

 private:
  SpanQueue& queue_;
  TraceSampler sampler_;
  TraceMetrics& metrics_;
};

}  // namespace sluice::ops
