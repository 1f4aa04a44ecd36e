#include "sim/model/cause.hpp"

namespace sluice::sim {

std::string_view to_string(Cause cause) {
  switch (cause) {
    case Cause::none:
      return "none";
    case Cause::shed:
      return "shed";
    case Cause::queue_timeout:
      return "queue_timeout";
    case Cause::throttled:
      return "throttled";
    case Cause::rate_limited:
      return "rate_limited";
    case Cause::upstream_5xx:
      return "upstream_5xx";
    case Cause::connection:
      return "connection";
    case Cause::timeout:
      return "timeout";
    case Cause::deadline:
      return "deadline";
    case Cause::circuit_open:
      return "circuit_open";
    case Cause::stream_broken:
      return "stream_broken";
    case Cause::region_down:
      return "region_down";
    case Cause::rate_limit_exceeded:
      return "rate_limit_exceeded";
    case Cause::budget_exceeded:
      return "budget_exceeded";
    case Cause::other:
      return "other";
  }
  return "other";
}

const std::array<Cause, kCauseCount>& all_causes() {
  // The enum's order is the report's.
  static const std::array<Cause, kCauseCount> causes = [] {
    std::array<Cause, kCauseCount> all{};
    for (std::size_t i = 0; i < kCauseCount; ++i) all[i] = static_cast<Cause>(i);
    return all;
  }();
  return causes;
}

Cause cause_of(const gateway::Outcome& outcome) {
  using core::AttemptOutcome;
  if (outcome.ok) return Cause::none;
  if (outcome.stream_started) return Cause::stream_broken;
  // The codes GatewayService gives the failures that are its own decision.
  if (outcome.error.code_detail == "deployments_unavailable") return Cause::circuit_open;
  if (outcome.error.code_detail == "deadline_exceeded") return Cause::deadline;
  // The key's tokens per minute refused the call before any attempt.
  if (outcome.last_outcome == AttemptOutcome::rejected &&
      outcome.error.code_detail == "rate_limit_exceeded")
    return Cause::rate_limit_exceeded;
  switch (outcome.last_outcome) {
    case AttemptOutcome::rate_limited:
      return Cause::rate_limited;
    case AttemptOutcome::upstream_5xx:
      return Cause::upstream_5xx;
    case AttemptOutcome::connect:
    case AttemptOutcome::reset:
      return Cause::connection;
    case AttemptOutcome::timeout:
      return Cause::timeout;
    case AttemptOutcome::cancelled:
      return Cause::deadline;
    default:
      return Cause::other;
  }
}

}  // namespace sluice::sim
