#pragma once

#include "ops/metrics.hpp"

namespace sluice::ops {

// The exporter's own health: spans sent, spans lost and why, and how long exports take.
struct TraceMetrics {
  explicit TraceMetrics(Registry& registry)
      : exported(registry.counter("sluice_trace_spans_exported_total",
                                  "Spans accepted by the OTLP collector.", {})),
        dropped(registry.counter(
            "sluice_trace_spans_dropped_total",
            "Spans never exported, by reason: queue_full (the export queue was full), "
            "export_failed (the collector refused them or could not be reached after retries), "
            "shutdown (still queued when the exporter stopped).",
            {"reason"})),
        export_duration(registry.histogram("sluice_trace_export_duration_seconds",
                                           "Duration of OTLP export requests, retries included.",
                                           {}, default_duration_buckets())) {}

  CounterFamily& exported;
  CounterFamily& dropped;
  HistogramFamily& export_duration;
};

}  // namespace sluice::ops
