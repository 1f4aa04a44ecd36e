#pragma once
// What the HTTP-speaking providers share: their timeouts, and how a failed exchange reads.

#include "core/config.hpp"
#include "gateway/types.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

http::UpstreamTimeouts upstream_timeouts(const core::ProviderConfig& config);

// A transport failure (connect, reset, timeout, oversized body) of `call` as an attempt result:
// retriable unless the upstream's answer was simply too large.
AttemptResult transport_failure(const http::UpstreamCall& call, const Error& error);

}  // namespace sluice::gateway
