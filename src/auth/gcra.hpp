#pragma once

#include <cstdint>

namespace sluice::auth {

// A rate: `limit` units per period, of which up to `burst` may be spent at once from idle. The
// derived times are computed once: a decision then divides at most once.
struct Rate {
  int64_t limit = 0;         // 0 = unlimited
  int64_t burst = 1;         // >= 1
  int64_t emission_ns = 1;   // time one unit earns back; at least 1 ns
  int64_t tolerance_ns = 1;  // how far ahead of now the arrival time may run: the burst's worth

  static Rate per_period(int64_t limit, int64_t period_ns, int64_t burst) {
    Rate rate;
    rate.limit = limit;
    rate.burst = burst < 1 ? 1 : burst;
    rate.emission_ns = limit > 0 && period_ns / limit > 0 ? period_ns / limit : 1;
    rate.tolerance_ns = rate.burst * rate.emission_ns;
    return rate;
  }
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
