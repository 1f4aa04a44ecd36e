#pragma once
// Deterministic replies in the shape of Anthropic's Messages API, for `sluice mock-upstream`'s
// POST /v1/messages: the same words as the OpenAI-shaped mock (mock_responses.hpp), so that a
// test can compare what a client gets through either provider type.

#include <boost/json/object.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "gateway/providers/mock/mock_replies.hpp"

namespace sluice::gateway {

// The reply to a (validated) Messages request: text quoting the last user turn that has text, or
// one tool call (id "toolu_...") when `tools` is given and tool_choice is {"type":"any"} (the
// first tool) or {"type":"tool","name":...}. Prompt tokens count the system prompt as one more
// message, so a conversation costs what it costs through the OpenAI-shaped mock.
MockReply mock_anthropic_reply(const boost::json::object& request, long long reply_tokens = 0);

// What an Anthropic reply carries beyond the words both mocks share.
struct AnthropicExtras {
  // Extended thinking: a thinking block, before the answer, with its signature. Empty: none.
  std::string thinking;
  std::string signature;
};

// The thinking block of a request that enables extended thinking (`thinking` of type "enabled"
// or "adaptive"): a sentence about the last user turn, signed. No thinking otherwise.
AnthropicExtras mock_anthropic_thinking(const boost::json::object& request);
// The signature the mock gives a thinking text, and checks when a later turn sends it back: a
// block altered on the way (its text or its signature) fails the check, as at Anthropic.
std::string mock_thinking_signature(std::string_view thinking);

// The part of a request marked for prompt caching: the tools, system blocks and message content
// blocks up to the last one with `cache_control`, in that order, as a key and a token count (at
// most `prompt_tokens`), and of those the tokens up to the last breakpoint whose cache_control
// has `"ttl": "1h"` (Anthropic keeps each segment as long as the breakpoint that ends it asks,
// and 1-hour breakpoints must come before 5-minute ones). Nullopt when nothing is marked.
struct MockCachePrefix {
  uint64_t key = 0;
  long long tokens = 0;
  long long tokens_1h = 0;
};
std::optional<MockCachePrefix> mock_cache_prefix(const boost::json::object& request,
                                                 long long prompt_tokens);
// `reply` with the prefix's tokens moved out of its uncached prompt_tokens (Anthropic's
// input_tokens) into what it read from the cache (`cached_before`) or wrote to it (the 1-hour
// part also in cache_write_1h_tokens).
MockReply with_prompt_cache(MockReply reply, const MockCachePrefix& prefix, bool cached_before);

// The prefixes the mock has "cached": the first request with a prefix writes it, later ones read
// it. Bounded (forgets everything once full, as a cache evicts); thread-safe.
class MockPromptCache {
 public:
  // Whether `key` was cached before; it is afterwards.
  bool remember(uint64_t key);

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  std::mutex mutex_;
  std::unordered_set<uint64_t> keys_;
};

// Anthropic's non-streaming `message` object: a thinking block when `extras` has one, then text
// or tool_use blocks; stop_reason end_turn or tool_use; usage with the reply's cache counts, the
// writes split in `cache_creation` {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens} (and
// thinking counted in output_tokens).
std::string anthropic_message_json(const MockReply& reply, std::string_view model,
                                   std::string_view id, const AnthropicExtras& extras = {});

struct AnthropicEvent {
  std::string name;  // the SSE `event:` line
  std::string data;  // the JSON on its `data:` line
};

// The events of a streamed message, in Anthropic's order: message_start, content_block_start,
// ping, content_block_delta (text in `chunk_count` pieces, at most one per code point; a tool
// call's arguments in one input_json_delta), content_block_stop, message_delta, message_stop. A
// thinking block comes first when `extras` has one: thinking_delta pieces, then a
// signature_delta.
std::vector<AnthropicEvent> anthropic_stream_events(const MockReply& reply, std::string_view model,
                                                    std::string_view id, int chunk_count,
                                                    const AnthropicExtras& extras = {});

// "event: <name>\ndata: <data>\n\n".
std::string sse_frame(const AnthropicEvent& event);

// The error type Anthropic answers an HTTP status with: invalid_request_error (400 and other
// 4xx), authentication_error (401), permission_error (403), not_found_error (404),
// request_too_large (413), rate_limit_error (429), overloaded_error (529), api_error (other 5xx).
std::string_view anthropic_error_type(int status);

// Anthropic's error body {"type":"error","error":{"type","message"}}.
std::string anthropic_error_json(std::string_view type, std::string_view message);

// The key a request authenticates with: x-api-key, else the token of `Authorization: Bearer`
// (the official SDKs send either). Empty when neither is there.
std::string_view anthropic_api_key(std::string_view x_api_key, std::string_view authorization);

// The 400s (invalid_request) and 401 (unauthorized) Anthropic answers before any model runs:
// the x-api-key or anthropic-version header missing (either may be empty, meaning absent).
Status validate_anthropic_headers(std::string_view api_key, std::string_view version);
// model, max_tokens or messages missing or mistyped; a message role other than user/assistant,
// or content missing; turns not alternating or not starting with user; stream not a boolean; a
// thinking block sent back whose signature is not the one the mock gave its text.
// Messages follow Anthropic's "field.path: problem" style.
Status validate_anthropic_request(const boost::json::object& request);

// A POST /v1/messages/count_tokens request's checks: those of validate_anthropic_request on
// model and messages (it has no max_tokens).
Status validate_anthropic_count_tokens_request(const boost::json::object& request);
// Its answer, {"input_tokens": N}: the input tokens /v1/messages reports for the same request,
// cached ones included (input_tokens + cache_read_input_tokens + cache_creation_input_tokens).
std::string anthropic_count_tokens_json(const boost::json::object& request);

}  // namespace sluice::gateway
