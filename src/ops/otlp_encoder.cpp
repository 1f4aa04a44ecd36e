// Field numbers from opentelemetry-proto: collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, resource/v1/resource.proto and common/v1/common.proto.

#include "ops/otlp_encoder.hpp"

#include <type_traits>

#include "core/protobuf_writer.hpp"

namespace sluice::ops {
namespace {

using core::ProtobufWriter;

// ExportTraceServiceRequest
constexpr uint32_t kResourceSpans = 1;
// ResourceSpans
constexpr uint32_t kResource = 1;
constexpr uint32_t kScopeSpans = 2;
// Resource
constexpr uint32_t kResourceAttributes = 1;
// ScopeSpans
constexpr uint32_t kScope = 1;
constexpr uint32_t kSpans = 2;
// InstrumentationScope
constexpr uint32_t kScopeName = 1;
constexpr uint32_t kScopeVersion = 2;
// Span
constexpr uint32_t kTraceId = 1;
constexpr uint32_t kSpanId = 2;
constexpr uint32_t kParentSpanId = 4;
constexpr uint32_t kName = 5;
constexpr uint32_t kKind = 6;
constexpr uint32_t kStartTime = 7;
constexpr uint32_t kEndTime = 8;
constexpr uint32_t kAttributes = 9;
constexpr uint32_t kStatus = 15;
constexpr uint32_t kFlags = 16;
// Status
constexpr uint32_t kStatusMessage = 2;
constexpr uint32_t kStatusCode = 3;
// KeyValue
constexpr uint32_t kKey = 1;
constexpr uint32_t kValue = 2;
// AnyValue
constexpr uint32_t kStringValue = 1;
constexpr uint32_t kBoolValue = 2;
constexpr uint32_t kIntValue = 3;
constexpr uint32_t kDoubleValue = 4;
// SpanFlags: the W3C trace flags in the low byte.
constexpr uint32_t kSpanFlagsSampled = 0x01;

std::string_view bytes_of(const auto& array) {
  return {reinterpret_cast<const char*>(array.data()), array.size()};
}

void write_key_value(ProtobufWriter& w, uint32_t field, const SpanAttribute& attribute) {
  w.begin_message(field);
  w.bytes_field(kKey, attribute.key);
  w.begin_message(kValue);
  std::visit(
      [&w](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>)
          w.bytes_field(kStringValue, value);
        else if constexpr (std::is_same_v<T, bool>)
          w.bool_field(kBoolValue, value);
        else if constexpr (std::is_same_v<T, int64_t>)
          w.int64_field(kIntValue, value);
        else
          w.double_field(kDoubleValue, value);
      },
      attribute.value);
  w.end_message();
  w.end_message();
}

void write_span(ProtobufWriter& w, const Span& span) {
  w.begin_message(kSpans);
  w.bytes_field(kTraceId, bytes_of(span.trace_id));
  w.bytes_field(kSpanId, bytes_of(span.span_id));
  if (span.has_parent) w.bytes_field(kParentSpanId, bytes_of(span.parent_span_id));
  w.bytes_field(kName, span.name);
  w.varint_field(kKind, static_cast<uint32_t>(span.kind));
  w.fixed64_field(kStartTime, span.start_unix_nanos);
  w.fixed64_field(kEndTime, span.end_unix_nanos);
  for (const SpanAttribute& attribute : span.attributes) write_key_value(w, kAttributes, attribute);
  if (span.status != SpanStatus::unset) {
    w.begin_message(kStatus);
    if (!span.status_message.empty()) w.bytes_field(kStatusMessage, span.status_message);
    w.varint_field(kStatusCode, static_cast<uint32_t>(span.status));
    w.end_message();
  }
  w.fixed32_field(kFlags, span.sampled ? kSpanFlagsSampled : 0);
  w.end_message();
}

}  // namespace

std::string encode_export_request(const TraceResource& resource, std::span<const Span> spans) {
  std::string out;
  out.reserve(256 + spans.size() * 320);
  ProtobufWriter w(out);
  w.begin_message(kResourceSpans);
  w.begin_message(kResource);
  write_key_value(w, kResourceAttributes, {"service.name", resource.service_name});
  if (!resource.service_version.empty())
    write_key_value(w, kResourceAttributes, {"service.version", resource.service_version});
  w.end_message();
  w.begin_message(kScopeSpans);
  w.begin_message(kScope);
  w.bytes_field(kScopeName, resource.scope_name);
  if (!resource.service_version.empty()) w.bytes_field(kScopeVersion, resource.service_version);
  w.end_message();
  for (const Span& span : spans) write_span(w, span);
  w.end_message();
  w.end_message();
  return out;
}

}  // namespace sluice::ops
