#pragma once

#include "auth/rate_limit_filter.hpp"
#include "auth/token_limits.hpp"
#include "ops/metrics.hpp"

namespace sluice::auth {

// sluice_ratelimited_total{limit="key|address|route|tokens"}: requests and model calls refused
// by each rate limit, read from the filter's and the token limits' own counters at scrape. Both
// must outlive the registry's scrapes.
void register_rate_limit_metrics(ops::Registry& registry, const RateLimitFilter& requests,
                                 const TokenLimits& tokens);

}  // namespace sluice::auth
