#include "core/attempt_outcome.hpp"

namespace sluice::core {

std::string_view to_string(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::success:
      return "success";
    case AttemptOutcome::timeout:
      return "timeout";
    case AttemptOutcome::connect:
      return "connect";
    case AttemptOutcome::reset:
      return "reset";
    case AttemptOutcome::rate_limited:
      return "rate_limited";
    case AttemptOutcome::upstream_4xx:
      return "upstream_4xx";
    case AttemptOutcome::upstream_5xx:
      return "upstream_5xx";
    case AttemptOutcome::protocol:
      return "protocol";
    case AttemptOutcome::too_large:
      return "too_large";
    case AttemptOutcome::rejected:
      return "rejected";
    case AttemptOutcome::client_gone:
      return "client_gone";
    case AttemptOutcome::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<AttemptOutcome> parse_attempt_outcome(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(AttemptOutcome::cancelled); ++i) {
    const auto outcome = static_cast<AttemptOutcome>(i);
    if (to_string(outcome) == name) return outcome;
  }
  return std::nullopt;
}

bool is_retriable(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::timeout:
    case AttemptOutcome::connect:
    case AttemptOutcome::reset:
    case AttemptOutcome::rate_limited:
    case AttemptOutcome::upstream_5xx:
    case AttemptOutcome::protocol:
      return true;
    default:
      return false;
  }
}

bool counts_against_deployment(AttemptOutcome outcome) { return is_retriable(outcome); }

// 501 (Not Implemented) and 505 (HTTP Version Not Supported) come back for the same request
// again: they are the request's fault as much as a 4xx is. 409 reports a conflict in the request.
AttemptOutcome outcome_for_status(int status) {
  if (status == 408) return AttemptOutcome::timeout;
  if (status == 429) return AttemptOutcome::rate_limited;
  if (status >= 500 && status != 501 && status != 505) return AttemptOutcome::upstream_5xx;
  return AttemptOutcome::upstream_4xx;
}

}  // namespace sluice::core
