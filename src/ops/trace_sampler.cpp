#include "ops/trace_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/span.hpp"

namespace sluice::ops {

std::optional<TraceSampler> TraceSampler::parse(std::string_view name, double ratio_argument) {
  TraceSampler sampler;
  if (name.starts_with("parentbased_")) {
    name.remove_prefix(12);
  } else {
    sampler.parent_based = false;
  }
  if (name == "always_on") {
    sampler.ratio = 1.0;
  } else if (name == "always_off") {
    sampler.ratio = 0.0;
  } else if (name == "traceidratio") {
    sampler.ratio = std::clamp(ratio_argument, 0.0, 1.0);
  } else {
    return std::nullopt;
  }
  return sampler;
}

bool TraceSampler::sampled(const core::TraceContext& trace) const {
  if (parent_based && !trace.parent_span_id.empty() && trace.flags.size() == 2) {
    uint8_t flags = 0;
    if (hex_to_bytes(trace.flags, &flags, 1)) return (flags & 0x01) != 0;
  }
  if (ratio >= 1.0) return true;
  if (ratio <= 0.0) return false;
  // The trace id's last 8 bytes, the random part W3C level 2 guarantees, against the ratio.
  uint8_t low[8];
  if (trace.trace_id.size() != 32 ||
      !hex_to_bytes(std::string_view(trace.trace_id).substr(16), low, 8))
    return false;
  uint64_t value = 0;
  for (uint8_t byte : low) value = value << 8 | byte;
  return static_cast<double>(value >> 11) < ratio * std::ldexp(1.0, 53);
}

}  // namespace sluice::ops
