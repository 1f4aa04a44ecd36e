#pragma once

#include "gateway/budget_guard.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {

// sluice_budget_exceeded_total{budget="key|team",action="refused|downgraded"}: model calls over
// a key's or a team's budget, refused with 429 or sent to a cheaper model, read from the guard's
// counters at scrape. `guard` must outlive the registry's scrapes.
void register_budget_metrics(ops::Registry& registry, const BudgetGuard& guard);

}  // namespace sluice::gateway
