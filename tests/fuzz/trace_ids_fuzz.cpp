// Client-supplied x-request-id and traceparent values: what is accepted is safe to log and echo,
// what we send upstream is always a valid traceparent, and an accepted one survives the round
// trip with its trace id.

#include "core/ids.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace sluice;

bool is_lower_hex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void check_well_formed(const core::TraceContext& trace) {
  FUZZ_CHECK(trace.trace_id.size() == 32 && is_lower_hex(trace.trace_id));
  FUZZ_CHECK(trace.span_id.size() == 16 && is_lower_hex(trace.span_id));
  FUZZ_CHECK(trace.flags.size() == 2 && is_lower_hex(trace.flags));
  core::TraceContext reparsed;
  FUZZ_CHECK(core::parse_traceparent(trace.traceparent(), reparsed));
  FUZZ_CHECK(reparsed.trace_id == trace.trace_id && reparsed.parent_span_id == trace.span_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header = fuzz::text(data, size);

  if (core::is_valid_request_id(header)) {
    FUZZ_CHECK(!header.empty() && header.size() <= 128);
    for (const char c : header)  // nothing that could break a log line or a header
      FUZZ_CHECK(c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != ',' && c != ';');
  }

  core::TraceContext parsed;
  if (core::parse_traceparent(header, parsed)) {
    FUZZ_CHECK(header.substr(3, 32) == parsed.trace_id);
    FUZZ_CHECK(parsed.parent_span_id.size() == 16 && is_lower_hex(parsed.parent_span_id));
  }
  const core::TraceContext continued = core::trace_context_from(header);
  check_well_formed(continued);
  if (!parsed.trace_id.empty()) FUZZ_CHECK(continued.trace_id == parsed.trace_id);

  core::TraceContext reused = continued;  // reset_from reuses the strings' capacity
  reused.reset_from(header);
  check_well_formed(reused);
  return 0;
}
