#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "gateway/caller.hpp"
#include "gateway/gateway_service.hpp"
#include "http/exchange.hpp"

namespace sluice::api {

// The header a client may send to shorten a request's deadline, in milliseconds.
inline constexpr std::string_view kTimeoutHeader = "x-sluice-timeout-ms";
// Keeps a client's requests on one version of a canaried model (gateway.models[].canary).
inline constexpr std::string_view kCanaryKeyHeader = "x-sluice-canary-key";
// Which version of a canaried model served the request: baseline or candidate.
inline constexpr std::string_view kCanaryHeader = "x-sluice-canary";

// The request's deadline and cancellation: the alias' (or the gateway's) timeout, shortened by
// the client's x-sluice-timeout-ms, and the exchange's cancellation signal.
gateway::RequestLimits request_limits(http::Exchange& exchange,
                                      const gateway::GatewayService& service,
                                      std::string_view model);
// The same with the deadline counted from `from` instead of now: an upload's, whose body is read
// within it.
gateway::RequestLimits request_limits(http::Exchange& exchange,
                                      const gateway::GatewayService& service,
                                      std::string_view model,
                                      std::chrono::steady_clock::time_point from);
// An upload's deadline while its model is not known yet: the longest any model may have,
// shortened by x-sluice-timeout-ms, counted from `from`.
std::chrono::steady_clock::time_point deadline_before_model(
    const http::Exchange& exchange, const gateway::GatewayService& service,
    std::chrono::steady_clock::time_point from);

// Who is calling: the key the authentication filter accepted. Metrics label config keys by name
// and every virtual key as "virtual" (there may be many: their usage is recorded by key id).
inline gateway::Caller caller_of(const http::Exchange& exchange) {
  return gateway::caller_of(exchange.principal.get(), exchange.api_key_name);
}

// The 403 for a key whose models allowlist does not name `model`; nullopt when the key may call
// it (or no key, or no model: validation answers that).
std::optional<Error> model_refused(const http::Exchange& exchange, std::string_view model);
// Whether the exchange's key may see `model` in listings.
inline bool model_visible(const http::Exchange& exchange, std::string_view model) {
  return !exchange.principal || exchange.principal->may_use_model(model);
}

// A malformed x-sluice-timeout-ms, as the 400 to answer; nullopt when absent or valid.
std::optional<Error> invalid_timeout_header(const http::Exchange& exchange);

// The request's x-mock-* headers as "Name: value\r\n" lines, for providers that forward them.
std::string mock_header_lines(const http::Request& request);

// Appends `,"key":value` to an access log line's extra fields.
void append_log_number(std::string& out, std::string_view key, double value);
void append_log_string(std::string& out, std::string_view key, std::string_view value);

// Appends the access log fields of a gateway call: model, deployment, canary (the version of a
// canaried model), attempts, outcome, tokens
// (with the prompt's cached and cache-written parts when there are any), cost, time to first token,
// finish reason, the upstream's request id when it gave one, the upstream error when it failed,
// and each attempt (`tries`: gateway/attempt_record.hpp).
void log_outcome(http::Exchange& exchange, std::string_view model, const gateway::Outcome& outcome);

// x-sluice-deployment (when a deployment was tried) and, for a canaried model, x-sluice-canary.
void add_served_by(http::Response& response, const gateway::Outcome& outcome);

// x-ratelimit-*-tokens for a call a token limit applied to, when its answer is not streamed.
void add_token_limit_headers(http::Response& response, const gateway::TokenLimitReport& report);

// The status of the answer to a failed gateway call before any byte was streamed (after its
// first chunk, a stream's 200 has gone out): the error's, or 499 for a client that left.
// set_failure answers with it; `sluice simulate` records it for a simulated call.
int failure_status(const gateway::Outcome& outcome);

// Answers a failed gateway call before any byte was streamed: the upstream's OpenAI-shaped body
// when it gave one (else ours), its status, Retry-After and the deployment that failed last. A
// client that left gets nothing (logged as 499, nginx's "client closed request").
void set_failure(http::Exchange& exchange, const gateway::Outcome& outcome);

// Whether a failed call's stream may still carry an error event: not once the client has gone.
inline bool can_tell_client(const gateway::Outcome& outcome) {
  return outcome.last_outcome != core::AttemptOutcome::client_gone;
}

}  // namespace sluice::api
