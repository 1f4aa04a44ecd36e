#pragma once
// Deterministic OpenAI-shaped responses, shared by `sluice mock-upstream` and the in-process
// `mock` provider so that both answer a given request with the same bytes (modulo id/created).

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::gateway {

struct MockToolCall {
  std::string id;  // deterministic: derived from the function name and the last user message
  std::string name;
  std::string arguments;  // JSON text
};

// What the mock "model" answers: either text or tool calls, plus token accounting.
struct MockReply {
  std::string content;  // empty when tool_calls is not
  std::vector<MockToolCall> tool_calls;
  std::string finish_reason = "stop";  // "stop" | "tool_calls"
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  // Prompt tokens beside prompt_tokens that the "provider" read from / wrote to its cache (set by
  // mock-upstream's knobs): OpenAI's usage counts reads in prompt_tokens and in
  // prompt_tokens_details.cached_tokens and has no writes; Anthropic's reports both beside
  // input_tokens.
  long long cached_tokens = 0;
  long long cache_write_tokens = 0;
  long long cache_write_1h_tokens = 0;  // the part of cache_write_tokens kept for an hour
};

// The reply to a (validated) chat request: text derived from the last user message, or one tool
// call when `tools` is given and tool_choice is "required" or names a function. Tokens are
// estimated as ceil(bytes / 4), plus 4 per message for the prompt.
// `reply_tokens` pads the answer (repeating its fixed sentence) to at least that many tokens.
MockReply mock_chat_reply(const boost::json::object& request, long long reply_tokens = 0);

// The pieces of mock_chat_reply, for mocks of other APIs that must answer the same words.
// Tokens as the mock counts them: ceil(bytes / 4).
long long mock_tokens(std::size_t bytes);
// A `content` value's text: the string itself, or the `text` members of an array of parts
// (OpenAI's content parts and Anthropic's content blocks alike).
std::string mock_content_text(const boost::json::value& content);
// What the mocks read of a request's `messages`: the last text a user wrote (tool results, which
// travel in user turns with no text, don't count), and the prompt's size.
struct MockConversation {
  std::string last_user;
  std::size_t prompt_bytes = 0;
  long long message_count = 0;
};
MockConversation read_mock_conversation(const boost::json::object& request);
// The answer to a conversation whose last user text is `last_user`: a call of `forced_tool` (when
// not empty) with "{}" as arguments, else the quoting text padded to `reply_tokens`. Leaves
// prompt_tokens to the caller, who knows the request's shape.
MockReply mock_reply_to(std::string_view last_user, std::string forced_tool,
                        long long reply_tokens);

// `text` cut into `chunk_count` pieces for streaming: fewer when it has fewer code points, none
// when it is empty, never splitting a UTF-8 sequence.
std::vector<std::string_view> mock_stream_pieces(std::string_view text, int chunk_count);

// OpenAI's non-streaming `chat.completion` object.
std::string chat_completion_json(const MockReply& reply, std::string_view model,
                                 std::string_view id, long long created);

// The JSON payloads (without the `data: ` framing or the final [DONE]) of OpenAI's stream: a
// role chunk, the content in `chunk_count` deltas (at most one per byte), a finish chunk, and
// with `include_usage` a last chunk with empty choices and the usage; every chunk then carries
// "usage":null except that last one, and none has a usage member without it.
std::vector<std::string> chat_chunks_json(const MockReply& reply, std::string_view model,
                                          std::string_view id, long long created, int chunk_count,
                                          bool include_usage);

// OpenAI's embeddings `list` for a (validated) request: one unit-length vector per input,
// mock_embedding() of its text (a token array's ids read as words); `dimensions` (default 16) sets
// the length and `encoding_format: "base64"` encodes little-endian float32 as OpenAI does. Vectors
// of `dimensions` floats when the request asks, else of `default_dimensions`.
std::string embeddings_json(const boost::json::object& request, std::string_view model,
                            int default_dimensions = 16);

}  // namespace sluice::gateway
