#pragma once
// A request's wait for a slot of an AdmissionGate, on the request's event loop: the admission
// filter's, and mock-upstream's line in front of a scenario provider's concurrency limit.

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "core/principal.hpp"
#include "http/exchange.hpp"
#include "ops/admission_gate.hpp"

namespace sluice::ops {

// Takes a slot at once, or queues at `priority` until a slot is handed over (admitted), a
// higher-priority arrival sheds it (shed), `deadline` passes (timed_out) or the client leaves
// (gone). An admitted verdict holds a slot the caller releases.
boost::asio::awaitable<AdmissionGate::Verdict> wait_for_slot(
    AdmissionGate& gate, core::Priority priority, std::chrono::steady_clock::time_point deadline,
    http::Exchange& exchange);

}  // namespace sluice::ops
