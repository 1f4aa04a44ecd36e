#pragma once
// What the gateway decided for each attempt of one request and what the upstream answered: the
// access log's `tries`, and the simulator's. Enough to replay the request's upstream answers and
// to compare its decisions (which deployment, how long it waited, what the circuit did) with
// another run's.

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "core/attempt_outcome.hpp"
#include "gateway/routing/circuit_breaker.hpp"

namespace sluice::gateway {

struct AttemptRecord {
  std::string deployment;  // its id, "provider/model"
  core::AttemptOutcome outcome = core::AttemptOutcome::success;
  // Since the gateway began routing the request, and how long the attempt took.
  std::chrono::nanoseconds start{0};
  std::chrono::nanoseconds duration{0};
  // The backoff waited before it (Retry-After included); 0 for the first attempt and for one on
  // a deployment the request had not tried yet.
  std::chrono::milliseconds wait{0};
  // What the upstream asked for (Retry-After, retry-after-ms), when it did.
  std::optional<std::chrono::milliseconds> retry_after;
  // Since the attempt started, when its first token came (streams).
  std::optional<std::chrono::nanoseconds> first_token;
  // A half-open circuit let it through to find out whether the deployment recovered.
  bool probe = false;
  // What its outcome did to the deployment's circuit: opened or closed it, or nothing.
  CircuitBreaker::Transition circuit = CircuitBreaker::Transition::none;
};

// Appends `,"tries":[{...},...]` (nothing when `tries` is empty): per attempt `deployment`,
// `outcome`, `start_ms`, `duration_ms` (microsecond resolution), `wait_ms`, and when they apply
// `retry_after_ms`, `ttft_ms`, `probe` (true) and `circuit` ("opened", "closed").
void append_tries_json(std::string& out, std::span<const AttemptRecord> tries);

}  // namespace sluice::gateway
