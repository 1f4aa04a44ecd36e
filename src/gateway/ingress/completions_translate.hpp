#pragma once

// OpenAI's legacy Completions API (POST /v1/completions: a prompt in, text out) as an ingress,
// translated to and from Chat Completions so that every provider answers it through the
// gateway's routing. The prompt becomes one user message; the answer's text is the choice's.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// A chat request from a completions request: model, prompt (a string, or an array of one string),
// max_tokens (16 when absent, as at OpenAI), temperature, top_p, n, stop, presence_penalty,
// frequency_penalty, seed, logit_bias, user, stream (usage always asked for, and passed on when
// stream_options.include_usage is set). What chat cannot express (echo, suffix, logprobs,
// best_of > 1, several prompts, token-id prompts) is an invalid_request Error naming the param.
Result<boost::json::object> chat_request_from_completions(
    const boost::json::object& completions_request);

// A text_completion object from a chat.completion body: each choice's message content as its
// text; `fallback_usage` when the body carries none. Not a chat completion: bad_gateway.
Result<std::string> completion_from_chat(std::string_view chat_completion_json,
                                         std::string_view completion_id, long long created,
                                         std::string_view model,
                                         const Usage* fallback_usage = nullptr);

// One chat.completion.chunk -> the text_completion chunk to send (empty when it carries
// nothing a completions client sees). A usage chunk is passed on only when `include_usage`.
std::string completion_chunk_from_chat(std::string_view chunk_json, std::string_view completion_id,
                                       long long created, std::string_view model,
                                       bool include_usage);

}  // namespace sluice::gateway
