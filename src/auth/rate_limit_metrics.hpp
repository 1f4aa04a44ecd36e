#pragma once

#include "auth/request_rate_limits.hpp"
#include "auth/token_limits.hpp"
#include "ops/metrics.hpp"

namespace sluice::auth {

// sluice_ratelimited_total{limit="key|address|route|tokens"}: requests and model calls refused
// by each rate limit, read from the request limits' and the token limits' own counters at scrape.
// Both must outlive the registry's scrapes.
void register_rate_limit_metrics(ops::Registry& registry, const RequestRateLimits& requests,
                                 const TokenLimits& tokens);

}  // namespace sluice::auth
