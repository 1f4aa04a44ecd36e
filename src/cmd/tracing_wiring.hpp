#pragma once

#include <memory>

#include "core/config.hpp"
#include "ops/otlp_http_sender.hpp"
#include "ops/span_queue.hpp"
#include "ops/trace_exporter.hpp"
#include "ops/trace_metrics.hpp"
#include "ops/tracer.hpp"

namespace sluice::cmd {

// Traces in `serve`: the tracer the HTTP observer and the gateway record spans into, and the
// exporter thread that sends them to the collector. Its thread runs from construction until
// stop().
struct TracingServing {
  TracingServing(const core::TracingConfig& config, ops::Registry& registry,
                 ops::TraceSampler sampler, std::unique_ptr<ops::OtlpHttpSender> sender);
  // Once the event loops stopped (their last spans are queued): sends what is left, briefly.
  void stop();

  ops::SpanQueue queue;
  ops::TraceMetrics metrics;
  ops::Tracer tracer;
  std::unique_ptr<ops::OtlpHttpSender> sender;
  ops::TraceExporter exporter;
  std::chrono::milliseconds stop_budget;
};

// TracingServing for `config.tracing`, its exporter started; null when tracing is off, and null
// with the error logged in `failed` when the endpoint cannot be used.
std::unique_ptr<TracingServing> open_tracing(const core::Config& config, ops::Registry& registry,
                                             bool& failed);

}  // namespace sluice::cmd
