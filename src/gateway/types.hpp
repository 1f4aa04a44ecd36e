#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/attempt_outcome.hpp"
#include "core/cancellation.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"

namespace sluice::gateway {

struct Usage {
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  long long cached_tokens = 0;  // part of prompt_tokens served from the provider's cache
  // Part of prompt_tokens written to the provider's cache (Anthropic's
  // cache_creation_input_tokens), billed at its own price; never overlaps cached_tokens.
  long long cache_write_tokens = 0;
  // Part of cache_write_tokens written for an hour (Anthropic's
  // cache_creation.ephemeral_1h_input_tokens), billed above the default 5-minute writes.
  long long cache_write_1h_tokens = 0;
  bool estimated = false;  // the upstream reported none; counted by us
  bool reported = false;   // any usage seen at all

  // prompt_tokens in the parts billed at different prices, which add up to it: read from the
  // cache, written to it for the default time (5 minutes at Anthropic), written for an hour, and
  // the rest. Pricing and the token metrics both split it here, so that no token is counted
  // twice. Counts an upstream got wrong (negative, or parts larger than the whole) are clamped:
  // reads first, then writes, then the hour's part of the writes.
  struct PromptParts {
    long long uncached = 0, cache_read = 0, cache_write = 0, cache_write_1h = 0;
    long long cache_writes() const { return cache_write + cache_write_1h; }
  };
  PromptParts prompt_parts() const {
    const auto clamp = [](long long v, long long high) { return v < 0 ? 0 : v > high ? high : v; };
    PromptParts parts;
    const long long prompt = prompt_tokens < 0 ? 0 : prompt_tokens;
    parts.cache_read = clamp(cached_tokens, prompt);
    const long long writes = clamp(cache_write_tokens, prompt - parts.cache_read);
    parts.cache_write_1h = clamp(cache_write_1h_tokens, writes);
    parts.cache_write = writes - parts.cache_write_1h;
    parts.uncached = prompt - parts.cache_read - writes;
    return parts;
  }
};

// A tokens-per-minute limit as this call's reservation left it, for x-ratelimit-*-tokens.
struct TokenLimitReport {
  long long limit = 0;  // 0: no token limit applied to the call
  long long remaining = 0;
  long long reset_ns = 0;
};

// Receives a streamed answer, one OpenAI chat.completion.chunk JSON payload at a time. The first
// send() starts the client's response: from then on nothing may be retried.
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Called before each attempt with the deployment it goes to (for x-sluice-deployment).
  virtual void on_attempt(std::string_view deployment) = 0;
  // Called before the first attempt when a token limit applies: its headers go out with the
  // stream's head.
  virtual void on_token_limit(const TokenLimitReport& report) {}
  // Called before the first attempt when the model has a canary: which version serves the
  // request ("baseline" or "candidate", for x-sluice-canary).
  virtual void on_canary(std::string_view version) {}
  virtual boost::asio::awaitable<bool> send(std::string_view chunk_json) = 0;
  virtual bool started() const = 0;
};

// When and how a request ends early: its whole-request deadline (across attempts and backoff)
// and its cancellation signal (client gone, drain grace over). Both optional.
struct RequestLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The client shortened the deadline: an attempt it cuts is the client's choice, not the
  // upstream's fault (else a configured deadline that passes is the upstream's timeout).
  bool deadline_from_client = false;
  core::Cancellation* cancellation = nullptr;
};

// A client's chat request, parsed once.
struct ChatRequest {
  const boost::json::object* body = nullptr;
  std::string_view raw_body;
  std::string model;  // as the client named it
  bool stream = false;
  bool include_usage = false;
  const core::TraceContext* trace = nullptr;
  std::string_view request_id;
  // The client's x-mock-* headers as "Name: value\r\n" lines, passed upstream only by providers
  // configured with forward_mock_headers.
  std::string_view forward_headers;
  // The client's x-sluice-canary-key: keeps its requests on one version of a canaried model
  // (else the body's `user` does; else the split is random).
  std::string_view canary_key;
  RequestLimits limits;
};

// Receives the answer to a POST /v1/messages stream in either form: chat chunks (send) from a
// provider the request was translated for, or the upstream's own Messages events (send_event)
// from one that speaks the Messages API.
class MessagesStreamSink : public ChunkSink {
 public:
  // One event as the upstream sent it; false once the client is gone.
  virtual boost::asio::awaitable<bool> send_event(std::string_view type, std::string_view data) = 0;
  // The id the upstream gave the attempt that is about to send events (its `request-id`), for the
  // stream's head; called after on_attempt(), by providers that know one.
  virtual void on_upstream_request_id(std::string_view id) {}
};

// A client's Anthropic Messages request (POST /v1/messages). Providers that speak the Messages
// API get it as is, but for its model; the others get `chat`, its translation.
struct MessagesRequest {
  const boost::json::object* body = nullptr;  // parsed
  std::string_view raw_body;                  // sent as is when the model needs no rewrite
  // The client's anthropic-version and anthropic-beta headers; empty: the provider's own (none
  // for beta).
  std::string_view anthropic_version;
  std::string_view anthropic_beta;
  // The translation, with what both forms share (model, stream, trace, request id, x-mock-*
  // headers, deadline and cancellation). Its body is null when the request cannot be said in
  // chat: an attempt on a provider that needs chat then fails with `chat_error`.
  ChatRequest chat;
  Error chat_error;
};

struct EmbeddingsRequest {
  const boost::json::object* body = nullptr;
  std::string_view raw_body;
  std::string model;
  const core::TraceContext* trace = nullptr;
  std::string_view request_id;
  RequestLimits limits;
};

// Endpoints beyond chat and embeddings that only some provider types have: a request for one is
// routed only to deployments whose provider serves it (Provider::serves). The image and audio
// ones pass through (Provider::media, media_call.hpp).
enum class Endpoint {
  moderations,
  rerank,
  image_generation,  // POST /v1/images/generations (JSON)
  image_edit,        // POST /v1/images/edits (multipart)
  image_variation,   // POST /v1/images/variations (multipart)
  transcription,     // POST /v1/audio/transcriptions (multipart)
  translation,       // POST /v1/audio/translations (multipart)
  speech,            // POST /v1/audio/speech (JSON; answered with audio bytes)
  count_tokens,      // POST /v1/messages/count_tokens (Anthropic's; Provider::count_tokens)
};
inline bool is_media(Endpoint endpoint) {
  return endpoint != Endpoint::moderations && endpoint != Endpoint::rerank &&
         endpoint != Endpoint::count_tokens;
}
// "/v1/moderations", "/v1/rerank": how clients and error messages name it.
std::string_view endpoint_route(Endpoint endpoint);

// A client's request to such an endpoint, parsed once and checked: JSON in, JSON out.
struct EndpointRequest {
  Endpoint endpoint = Endpoint::moderations;
  const boost::json::object* body = nullptr;
  std::string_view raw_body;  // `body` as JSON text: sent as is when the model name is unchanged
  std::string model;
  const core::TraceContext* trace = nullptr;
  std::string_view request_id;
  std::string_view forward_headers;  // as ChatRequest's
  RequestLimits limits;
};

// What one attempt against one deployment produced.
struct AttemptResult {
  core::AttemptOutcome outcome = core::AttemptOutcome::success;
  std::string body;  // non-streaming success: the OpenAI-shaped response to send as is
  Usage usage;
  // Failure details.
  Error error;
  std::string upstream_error_body;  // the upstream's OpenAI-shaped error body, relayed when final
  std::optional<std::chrono::milliseconds> retry_after;
  bool first_token_seen = false;  // streaming: time-to-first-token is meaningful
  std::chrono::steady_clock::time_point first_token_at;
  std::string finish_reason;  // of the (first) choice, when the answer said
  // The answer is in the client's own dialect, passed through (an Anthropic Messages body), not
  // a chat completion.
  bool passed_through = false;
  // The attempt used what the request can send only once (a streamed upload's bytes): no other
  // attempt may follow, whatever its outcome.
  bool final_attempt = false;
  // The upstream's own id for the exchange (Anthropic's `request-id` header), answered or failed;
  // empty when it gave none (or one that is not a well-formed id).
  std::string upstream_request_id;

  bool ok() const { return outcome == core::AttemptOutcome::success; }
  static AttemptResult failure(core::AttemptOutcome outcome, Error error) {
    AttemptResult r;
    r.outcome = outcome;
    r.error = std::move(error);
    return r;
  }

  // Turns a stream's running result into `failure`, keeping the usage and first-token time
  // already seen.
  void fail_stream(AttemptResult failure) {
    failure.usage = usage;
    failure.first_token_seen = first_token_seen;
    failure.first_token_at = first_token_at;
    failure.finish_reason = std::move(finish_reason);
    failure.upstream_request_id = std::move(upstream_request_id);
    *this = std::move(failure);
  }
};

}  // namespace sluice::gateway
