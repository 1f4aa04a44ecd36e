#pragma once
// How a failed exchange with an HTTP upstream reads as an attempt result: the one place where
// transport failures and upstream error statuses become attempt outcomes.

#include "core/config.hpp"
#include "gateway/types.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

http::UpstreamTimeouts upstream_timeouts(const core::ProviderConfig& config);

// A transport failure (connect, reset, timeout, cancellation, oversized body) of `call`: the
// outcome the upstream client recorded where it happened.
AttemptResult transport_failure(const http::UpstreamCall& call, const Error& error);

// An upstream HTTP error status: its outcome (core::outcome_for_status), the delay the upstream
// asked for (retry-after-ms, else Retry-After), and its OpenAI-shaped body kept to relay.
AttemptResult http_failure(int status, std::string body, std::string_view retry_after,
                           std::string_view retry_after_ms, std::string_view provider);

// The limits a provider passes to UpstreamCall::start for this request.
http::UpstreamTimeouts timeouts_for(const http::UpstreamTimeouts& provider,
                                    const RequestLimits& limits);

}  // namespace sluice::gateway
