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
  bool estimated = false;       // the upstream reported none; counted by us
  bool reported = false;        // any usage seen at all
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
  RequestLimits limits;
};

struct EmbeddingsRequest {
  const boost::json::object* body = nullptr;
  std::string_view raw_body;
  std::string model;
  const core::TraceContext* trace = nullptr;
  std::string_view request_id;
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
  // The attempt used what the request can send only once (a streamed upload's bytes): no other
  // attempt may follow, whatever its outcome.
  bool final_attempt = false;

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
    *this = std::move(failure);
  }
};

}  // namespace sluice::gateway
