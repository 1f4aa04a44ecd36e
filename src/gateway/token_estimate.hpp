#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string_view>

namespace sluice::gateway {

// Rough token counts for upstreams that report no usage, so that cost and rate accounting still
// see something. About one token per 4 bytes of UTF-8, OpenAI's rule of thumb for English; it
// undercounts CJK text and code, which is acceptable for an estimate that is flagged as such.

// Tokens in `bytes` bytes of text: ceil(bytes / 4); 0 only for none.
long long estimate_tokens_from_bytes(std::size_t bytes);
// Tokens in `text`: estimate_tokens_from_bytes(text.size()).
long long estimate_tokens(std::string_view text);

// Prompt tokens of a chat `messages` array: each message's text (string content, or the "text"
// of its text parts, plus tool call names and arguments) + 4 per message for role and
// delimiters + 3 for the reply's priming, as OpenAI's cookbook counts. Non-text parts (images,
// audio) and entries that are not objects are not counted.
long long estimate_prompt_tokens(const boost::json::array& messages);

// The answer's length a request asks for (max_completion_tokens, else max_tokens); 0 when it
// sets neither (or no body).
long long requested_completion_tokens(const boost::json::object* body);

}  // namespace sluice::gateway
