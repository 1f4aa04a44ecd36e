#include "gateway/attempt_record.hpp"

#include <cmath>

#include "core/json_text.hpp"

namespace sluice::gateway {
namespace {

// Milliseconds with three decimals: the access log's duration_ms resolution.
double milliseconds_of(std::chrono::nanoseconds d) {
  return std::round(static_cast<double>(d.count()) / 1000.0) / 1000.0;
}

void append_member(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;
  out += "\":";
}

}  // namespace

void append_tries_json(std::string& out, std::span<const AttemptRecord> tries) {
  if (tries.empty()) return;
  out += ",\"tries\":[";
  for (std::size_t i = 0; i < tries.size(); ++i) {
    const AttemptRecord& t = tries[i];
    out += i == 0 ? "{\"deployment\":" : ",{\"deployment\":";
    core::append_json_string(out, t.deployment);
    append_member(out, "outcome");
    core::append_json_string(out, core::to_string(t.outcome));
    append_member(out, "start_ms");
    core::append_json_number(out, milliseconds_of(t.start));
    append_member(out, "duration_ms");
    core::append_json_number(out, milliseconds_of(t.duration));
    append_member(out, "wait_ms");
    core::append_json_number(out, static_cast<long long>(t.wait.count()));
    if (t.retry_after) {
      append_member(out, "retry_after_ms");
      core::append_json_number(out, static_cast<long long>(t.retry_after->count()));
    }
    if (t.first_token) {
      append_member(out, "ttft_ms");
      core::append_json_number(out, milliseconds_of(*t.first_token));
    }
    if (t.probe) out += ",\"probe\":true";
    if (t.circuit != CircuitBreaker::Transition::none)
      out += t.circuit == CircuitBreaker::Transition::opened ? ",\"circuit\":\"opened\""
                                                             : ",\"circuit\":\"closed\"";
    out += '}';
  }
  out += ']';
}

}  // namespace sluice::gateway
