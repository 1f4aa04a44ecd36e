#pragma once

#include "core/config.hpp"
#include "http/router.hpp"
#include "ops/health.hpp"
#include "ops/metrics.hpp"

namespace sluice::api {

// Probes and metrics: /livez, /readyz[?verbose], /health, /health/live, /health/ready, /metrics.
void register_ops_routes(http::Router& router, const ops::Health& health,
                         const ops::Registry& registry, const core::MetricsConfig& metrics);

}  // namespace sluice::api
