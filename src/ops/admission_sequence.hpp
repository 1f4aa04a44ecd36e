#pragma once
// How a request passes admission control, whatever clock it waits on: a slot at each of its
// gates in order (its route's, then the global one), one deadline across all of them, waiting in
// a gate's queue until a verdict or the deadline, and a refusal at a later gate frees the slots
// taken at the earlier ones. The server's AdmissionFilter waits on Asio timers (and notices a
// client that leaves); the simulator's replica waits on its virtual clock. Both run this.
//
// A `Wait` is how the caller waits on its clock, one per gate:
//   std::function<void(AdmissionGate::Verdict)> waker();  // ends the wait early: the gate calls
//                                                         // it, maybe from another thread
//   boost::asio::awaitable<void> until(TimePoint deadline);
//   AdmissionGate::Verdict reason() const;  // why a wait without a verdict ended: timed_out, or
//                                           // gone (the client left)

#include <array>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>

#include "ops/admission_gate.hpp"

namespace sluice::ops {

// How a request's admission ended: its verdict, and for a refusal the index of the gate that
// gave it.
struct AdmissionResult {
  AdmissionGate::Verdict verdict = AdmissionGate::Verdict::admitted;
  std::size_t gate = 0;
};

// A slot of `gate`: at once when one is free and nobody waits, else in its queue until a verdict
// (admitted, or shed by a higher-priority arrival) or until `wait` ends at `deadline`.
template <class Wait, class TimePoint>
boost::asio::awaitable<AdmissionGate::Verdict> wait_for_slot(AdmissionGate& gate,
                                                             core::Priority priority,
                                                             TimePoint deadline, Wait& wait) {
  using Verdict = AdmissionGate::Verdict;
  if (gate.try_admit()) co_return Verdict::admitted;
  auto waiter = std::make_shared<AdmissionGate::Waiter>(priority);
  // Called only while this coroutine waits (or not at all): the gate drops the waiter before
  // withdraw() returns.
  waiter->wake = wait.waker();
  const Verdict entered = gate.enter(waiter);
  if (entered != Verdict::waiting) co_return entered;
  co_await wait.until(deadline);
  co_return gate.withdraw(*waiter, wait.reason());
}

// A slot at each of `gates` (null entries are skipped), in order, all within `deadline`;
// `make_wait()` gives a fresh Wait for each gate that is waited at.
template <std::size_t N, class MakeWait, class TimePoint>
boost::asio::awaitable<AdmissionResult> pass_gates(std::array<AdmissionGate*, N> gates,
                                                   core::Priority priority, TimePoint deadline,
                                                   MakeWait make_wait) {
  using Verdict = AdmissionGate::Verdict;
  for (std::size_t at = 0; at < N; ++at) {
    if (!gates[at]) continue;
    auto wait = make_wait();
    const Verdict verdict = co_await wait_for_slot(*gates[at], priority, deadline, wait);
    if (verdict == Verdict::admitted) continue;
    for (std::size_t held = at; held-- > 0;)
      if (gates[held]) gates[held]->release();
    co_return AdmissionResult{verdict, at};
  }
  co_return AdmissionResult{};
}

}  // namespace sluice::ops
