#pragma once
// A request's wait for a slot of an AdmissionGate on the server: an Asio timer on the request's
// loop, ended early by a verdict or by the client leaving. The admission filter waits this way at
// each of its gates (ops::pass_gates), and mock-upstream's line in front of a scenario provider's
// concurrency limit at its one gate. Include from .cpp files only: it pulls in Asio's timer.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "core/principal.hpp"
#include "http/exchange.hpp"
#include "ops/admission_gate.hpp"

namespace sluice::ops {

// The Wait of ops::wait_for_slot / pass_gates (admission_sequence.hpp) on the server's clock.
class ExchangeWait {
 public:
  using Timer = boost::asio::steady_timer;
  ExchangeWait(const boost::asio::any_io_executor& executor, http::Exchange& exchange);

  // Weak: the timer must die on its own loop, so the releasing thread never holds the last
  // reference; the posted handler runs there.
  std::function<void(AdmissionGate::Verdict)> waker() const;
  boost::asio::awaitable<void> until(std::chrono::steady_clock::time_point deadline);
  AdmissionGate::Verdict reason() const;

 private:
  std::shared_ptr<Timer> timer_;
  http::Exchange& exchange_;
};

// Takes a slot at once, or queues at `priority` until a slot is handed over (admitted), a
// higher-priority arrival sheds it (shed), `deadline` passes (timed_out) or the client leaves
// (gone). An admitted verdict holds a slot the caller releases.
boost::asio::awaitable<AdmissionGate::Verdict> wait_for_slot(
    AdmissionGate& gate, core::Priority priority, std::chrono::steady_clock::time_point deadline,
    http::Exchange& exchange);

}  // namespace sluice::ops
