#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/exchange.hpp"

namespace sluice::auth {

// A duration as OpenAI's x-ratelimit-reset-* headers write it (Go's time.Duration, to the
// millisecond): "20ms", "1s", "1.5s", "6m0s", "1h2m3s"; "0s" for none.
std::string openai_duration(int64_t ns);

enum class RateLimitKind { requests, tokens };

// x-ratelimit-limit-<kind>, x-ratelimit-remaining-<kind> and x-ratelimit-reset-<kind>.
void add_rate_limit_headers(http::Response& response, RateLimitKind kind, int64_t limit,
                            int64_t remaining, int64_t reset_ns);

// Retry-After in whole seconds (rounded up: a client that waits that long gets in) and
// retry-after-ms, which OpenAI's SDKs prefer.
void add_retry_after(http::Response& response, int64_t retry_after_ms);

}  // namespace sluice::auth
