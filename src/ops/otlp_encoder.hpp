#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ops/span.hpp"

namespace sluice::ops {

// Who produced the spans: OTLP's Resource and InstrumentationScope.
struct TraceResource {
  std::string service_name;
  std::string service_version;
  std::string scope_name = "sluice";
};

// An opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest in binary protobuf (the
// body of an OTLP/HTTP POST to /v1/traces with content type application/x-protobuf): one
// ResourceSpans with one ScopeSpans holding `spans`.
std::string encode_export_request(const TraceResource& resource, std::span<const Span> spans);

}  // namespace sluice::ops
