#pragma once

#include <cstdint>

#include "http/exchange.hpp"
#include "ops/span.hpp"

namespace sluice::ops {

// The SERVER span of one HTTP request, after OpenTelemetry's HTTP conventions: named
// "{method} {route template}" (just "{method}" when no route matched), with the method, route,
// status, path, user agent, client address and request id; a 5xx has error status.
Span server_span(const http::Exchange& exchange, uint64_t start_unix_nanos,
                 uint64_t end_unix_nanos);

}  // namespace sluice::ops
