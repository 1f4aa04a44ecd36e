#pragma once

#include <array>
#include <string>
#include <string_view>

namespace sluice::core {

// Random lowercase hex of `bytes` bytes (2 chars per byte), from a fast per-thread generator
// seeded from the OS: ids need uniqueness, not secrecy.
std::string random_hex(std::size_t bytes);
void append_random_hex(std::string& out, std::size_t bytes);

// A client-supplied x-request-id is kept when it is 1..128 chars of [A-Za-z0-9._:-] (safe to log
// and echo); anything else is replaced by a generated one.
bool is_valid_request_id(std::string_view id);
std::string new_request_id();
// Same, written into `out` (reusing its capacity: called per request).
void assign_new_request_id(std::string& out);

// W3C Trace Context (traceparent) for this hop: the caller's trace id and span id when a valid
// header arrived, a new trace otherwise; our own span id is always fresh.
struct TraceContext {
  std::string trace_id;        // 32 hex
  std::string parent_span_id;  // 16 hex, empty when we started the trace
  std::string span_id;         // 16 hex, ours
  std::string flags = "01";    // sampled by default when we start the trace

  // The header to send upstream: 00-<trace_id>-<span_id>-<flags>.
  std::string traceparent() const;
  // Continues the trace in a valid `traceparent_header`, or starts one; reuses capacity.
  void reset_from(std::string_view traceparent_header);
};

// Parses a traceparent value; false for anything malformed (wrong lengths, non-hex, uppercase,
// all-zero ids, version ff).
bool parse_traceparent(std::string_view header, TraceContext& out);
TraceContext trace_context_from(std::string_view traceparent_header);

}  // namespace sluice::core
