#pragma once

#include <cstdint>

namespace sluice::auth {

// A rate: `limit` units per `period_ns`, of which up to `burst` may be spent at once from idle.
struct Rate {
  int64_t limit = 0;  // 0 = unlimited
  int64_t period_ns = 60'000'000'000;
  int64_t burst = 1;  // >= 1

  // Time one unit of the rate earns back; at least 1 ns.
  int64_t emission_ns() const { return limit > 0 && period_ns / limit > 0 ? period_ns / limit : 1; }
  // How far ahead of now the theoretical arrival time may run: the whole burst's worth.
  int64_t tolerance_ns() const { return burst * emission_ns(); }
};

// What GCRA decided for one request against one rate, and what the client may be told.
struct GcraDecision {
  bool allowed = false;
  int64_t tat_ns = 0;          // the theoretical arrival time to store (unchanged when refused)
  int64_t remaining = 0;       // units that could be spent right now after this decision
  int64_t reset_ns = 0;        // until the rate is back to its full burst
  int64_t retry_after_ns = 0;  // refused: until this request would fit; 0 when allowed
};

// The Generic Cell Rate Algorithm (a token bucket that stores one timestamp): admits `cost`
// units at `now_ns` when the stored theoretical arrival time `tat_ns` (0 = never seen) leaves
// room within the burst. It admits by arrival time alone, so a steady client gets exactly
// `limit` per `period` plus its burst. A cost larger than the burst is never admitted.
GcraDecision gcra_decide(int64_t tat_ns, int64_t now_ns, int64_t cost, const Rate& rate);

// The stored time after charging `delta` more units (refunding when negative) to an earlier
// decision: a refund never moves the time before `now_ns`, where it would hold credit beyond
// the burst.
int64_t gcra_adjust(int64_t tat_ns, int64_t now_ns, int64_t delta, const Rate& rate);

}  // namespace sluice::auth
