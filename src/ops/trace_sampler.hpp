#pragma once

#include <optional>
#include <string_view>

#include "core/ids.hpp"

namespace sluice::ops {

// OpenTelemetry's standard samplers (OTEL_TRACES_SAMPLER): always_on, always_off, traceidratio
// and their parentbased_ forms, which follow the caller's sampled flag when a traceparent came.
// The ratio decision reads the trace id alone, so every service of a trace decides alike.
struct TraceSampler {
  bool parent_based = true;
  double ratio = 1.0;  // of new traces (or of all, when not parent-based)

  // Null for a name that is none of the six.
  static std::optional<TraceSampler> parse(std::string_view name, double ratio_argument);
  bool sampled(const core::TraceContext& trace) const;
};

}  // namespace sluice::ops
