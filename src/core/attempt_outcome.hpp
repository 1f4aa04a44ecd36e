#pragma once
// The one vocabulary for how an attempt at an upstream ended. It is set where the failure
// happens (the upstream client, a provider's translation, the client connection, a deadline),
// and everything else reads it: retries, the circuit breaker, metric labels, log fields and the
// error the client sees. Nothing re-derives it from statuses or messages.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::core {

enum class AttemptOutcome : std::uint8_t {
  success,
  timeout,       // connect, first-byte, idle or total timeout of one attempt; upstream 408
  connect,       // DNS, TCP or TLS setup failed: nothing was sent
  reset,         // the connection closed or reset before the response was complete
  rate_limited,  // upstream 429
  upstream_4xx,  // the upstream refused the request itself (4xx but 408/429; also 501, 505)
  upstream_5xx,  // the upstream failed (5xx but 501/505), or an error event mid-stream
  protocol,      // an unparsable or incomplete response: bad head, invalid or truncated JSON
  too_large,     // the upstream's answer exceeded what the gateway buffers
  rejected,      // the request cannot be translated for this provider: no call was made
  client_gone,   // the client disconnected: the upstream call was cancelled
  cancelled,     // the request's deadline or the drain grace ended the attempt
};

std::string_view to_string(AttemptOutcome outcome);
// The outcome to_string names `name`; nullopt for any other text (a log read back).
std::optional<AttemptOutcome> parse_attempt_outcome(std::string_view name);

// Another attempt (elsewhere, or later) may succeed.
bool is_retriable(AttemptOutcome outcome);
// Says something about the deployment's health, so the circuit breaker counts it as a failure.
// Outcomes that are neither success nor this (the request's fault, the client's departure, our
// own deadline) release the breaker's admission without a verdict.
bool counts_against_deployment(AttemptOutcome outcome);
// The outcome of an upstream HTTP error status (anything but 2xx).
AttemptOutcome outcome_for_status(int status);

}  // namespace sluice::core
