#include "auth/gcra.hpp"

#include <algorithm>

namespace sluice::auth {
namespace {

int64_t units_left(int64_t tat_ns, int64_t now_ns, const Rate& rate) {
  const int64_t room = now_ns + rate.tolerance_ns - tat_ns;
  return room <= 0 ? 0 : std::min(rate.burst, room / rate.emission_ns);
}

}  // namespace

GcraDecision gcra_decide(int64_t tat_ns, int64_t now_ns, int64_t cost, const Rate& rate) {
  const int64_t from = std::max(tat_ns, now_ns);
  GcraDecision decision;
  decision.tat_ns = tat_ns;
  if (cost > rate.burst) {
    // It will never fit: the client is told when the whole burst is back.
    decision.retry_after_ns = std::max<int64_t>(from - now_ns, 1);
  } else {
    // cost <= burst keeps the product within the period: no overflow.
    const int64_t next = from + cost * rate.emission_ns;
    if (next - now_ns <= rate.tolerance_ns) {
      decision.allowed = true;
      decision.tat_ns = next;
    } else {
      decision.retry_after_ns = next - rate.tolerance_ns - now_ns;
    }
  }
  const int64_t stored = std::max(decision.tat_ns, now_ns);
  decision.remaining = units_left(stored, now_ns, rate);
  decision.reset_ns = stored - now_ns;
  return decision;
}

int64_t gcra_adjust(int64_t tat_ns, int64_t now_ns, int64_t delta, const Rate& rate) {
  // A debt of some years at most: the product stays far from overflow.
  const int64_t most = (int64_t{1} << 60) / rate.emission_ns;
  const int64_t moved =
      std::max(tat_ns, now_ns) + std::clamp(delta, -most, most) * rate.emission_ns;
  return std::max(moved, now_ns);
}

}  // namespace sluice::auth
