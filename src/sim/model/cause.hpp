#pragma once
// Why a simulated request failed, from the client's side: the report's "errors by cause".

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/gateway_service.hpp"

namespace sluice::sim {

enum class Cause : std::uint8_t {
  none,           // completed
  shed,           // admission queue full: 503 at once
  queue_timeout,  // waited admission.max_wait for a slot: 503
  throttled,      // refused by a serverless platform at its max instances: 429, no gateway
  rate_limited,   // the last attempt met a 429
  upstream_5xx,   // the last attempt met a 5xx
  connection,     // could not connect, or the connection reset before the answer started
  timeout,        // an attempt's first-byte, idle or total timeout
  deadline,       // the request's deadline passed (alias or gateway timeout, or the client's)
  circuit_open,   // every deployment's circuit was open: 503 without an attempt
  stream_broken,  // a stream failed after its first chunk (never retried)
  region_down,    // the region it was sent to was down (its replicas answered nothing)
  // The gateway's own 429s, named by their error code: a key's or route's request rate, or the
  // key's tokens per minute (rate_limit_exceeded); a key's or team's budget (budget_exceeded).
  rate_limit_exceeded,
  budget_exceeded,
  other,  // anything else (a 4xx, a protocol error)
};
inline constexpr std::size_t kCauseCount = static_cast<std::size_t>(Cause::other) + 1;

std::string_view to_string(Cause cause);
// Every cause, in report order.
const std::array<Cause, kCauseCount>& all_causes();

// The cause of a request the gateway answered with `outcome`.
Cause cause_of(const gateway::Outcome& outcome);

}  // namespace sluice::sim
