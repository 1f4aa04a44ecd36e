#pragma once

#include <string_view>

#include "gateway/gateway_service.hpp"
#include "http/exchange.hpp"

namespace sluice::api {

// Appends the access log fields of a gateway call: model, deployment, attempts, tokens, cost and
// the upstream error when it failed.
void log_outcome(http::Exchange& exchange, std::string_view model, const gateway::Outcome& outcome);

// Answers a failed gateway call before any byte was streamed: the upstream's OpenAI-shaped body
// when it gave one (else ours), its status, Retry-After and the deployment that failed last.
void set_failure(http::Exchange& exchange, const gateway::Outcome& outcome);

}  // namespace sluice::api
