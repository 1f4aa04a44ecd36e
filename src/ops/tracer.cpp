#include "ops/tracer.hpp"

#include <vector>

namespace sluice::ops {
namespace {

struct ThreadSpans {
  const Tracer* owner = nullptr;
  std::vector<Span> spans;
};

thread_local ThreadSpans t_spans;

}  // namespace

Span Tracer::span_for(const core::TraceContext& context, SpanKind kind) {
  Span span;
  span.kind = kind;
  span.set_ids(context.trace_id, context.span_id, context.parent_span_id);
  uint8_t flags = 0;
  span.sampled = hex_to_bytes(context.flags, &flags, 1) && (flags & 0x01) != 0;
  return span;
}

core::TraceContext Tracer::child_of(const core::TraceContext& parent, bool sampled) {
  core::TraceContext child;
  child.trace_id = parent.trace_id;
  child.parent_span_id = parent.span_id;
  child.span_id = core::random_hex(8);
  child.flags = sampled ? "01" : "00";
  return child;
}

uint64_t Tracer::unix_nanos(std::chrono::steady_clock::time_point at) {
  const auto wall = std::chrono::system_clock::now() + (at - std::chrono::steady_clock::now());
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count());
}

void Tracer::record(Span span) {
  ThreadSpans& mine = t_spans;
  if (mine.owner != this) {  // left by another tracer (tests make several): not ours to send
    mine.spans.clear();
    mine.owner = this;
  }
  mine.spans.push_back(std::move(span));
  if (mine.spans.size() >= kThreadBatch) flush_thread();
}

void Tracer::flush_thread() {
  ThreadSpans& mine = t_spans;
  if (mine.owner != this || mine.spans.empty()) return;
  const std::size_t dropped = queue_.push(mine.spans);
  if (dropped > 0) metrics_.dropped.inc({"queue_full"}, static_cast<double>(dropped));
}

}  // namespace sluice::ops
