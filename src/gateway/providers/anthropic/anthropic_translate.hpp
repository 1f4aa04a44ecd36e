#pragma once

// Translation between OpenAI's Chat Completions API (what clients speak to us) and Anthropic's
// Messages API (what the upstream speaks). Pure functions over JSON text: no I/O, so the provider
// code owns sockets and these stay testable with recorded payloads.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "gateway/providers/anthropic/anthropic_usage.hpp"

namespace sluice::gateway {

// Body for POST {base}/v1/messages from a parsed OpenAI chat request, with `upstream_model` as
// model. Malformed input, or input Anthropic cannot express (n > 1, audio, response_format), is an
// invalid_request Error whose param names the field, e.g. "messages[2].tool_calls[0].id".
Result<std::string> anthropic_request_from_openai(const boost::json::object& openai_request,
                                                  std::string_view upstream_model);

// An Anthropic non-streaming Messages response -> OpenAI chat.completion JSON; `response_model` is
// echoed as "model". A body that is not a message (malformed, or an error object) is an Error.
Result<std::string> openai_response_from_anthropic(std::string_view anthropic_body,
                                                   std::string_view response_model,
                                                   long long created_unix);

// An Anthropic error body {"type":"error","error":{"type","message"}} with its HTTP status -> the
// Error a client should see: the message is kept, the Anthropic error type goes to `code_detail`.
// Bodies that are not Anthropic errors still give a usable Error.
Error error_from_anthropic(std::string_view anthropic_body, int status);
// Same, rendered in OpenAI's error shape {"error":{"message","type","param","code"}}.
std::string openai_error_from_anthropic(std::string_view anthropic_body, int status);

// Turns Anthropic's streaming events into OpenAI chat.completion.chunk payloads (the JSON only,
// without "data: " framing). One instance per response stream; not thread-safe.
class AnthropicStreamTranslator {
 public:
  AnthropicStreamTranslator(std::string response_model, bool include_usage, long long created_unix);

  // Feeds one SSE event (`event` may be empty: the data's "type" is used then) and returns the
  // chunks to send, possibly none. An upstream "error" event or unparseable data is an Error:
  // the caller ends the client stream with an error event.
  Result<std::vector<std::string>> on_event(std::string_view event, std::string_view data);

  // True once message_stop arrived: the response is complete. Events after it are ignored.
  bool done() const { return done_; }

  // Usage seen so far, for accounting even when the client did not ask for it.
  long long prompt_tokens() const { return usage_.prompt_tokens(); }
  long long completion_tokens() const { return usage_.output_tokens; }
  const AnthropicUsage& usage() const { return usage_; }

 private:
  void ensure_header(std::string_view anthropic_id);
  std::string chunk(std::string_view delta_json, std::string_view finish_reason_json) const;
  std::string usage_chunk() const;
  int tool_index_of_block(long long block_index) const;

  std::string model_;
  bool include_usage_;
  long long created_;
  std::string header_;  // {"id":...,"object":...,"created":...,"model":..., shared by every chunk
  bool done_ = false;
  bool finish_sent_ = false;
  AnthropicUsage usage_;
  // Anthropic numbers content blocks (text and tool_use together); OpenAI numbers tool calls only.
  std::vector<std::pair<long long, int>> tool_index_by_block_;
};

}  // namespace sluice::gateway
