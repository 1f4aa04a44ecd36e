#pragma once

// Pieces shared by the Anthropic translation files; not part of the public API.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json_read.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"
#include "gateway/providers/anthropic/anthropic_usage.hpp"

namespace sluice::gateway::anthropic {

// ---- validating OpenAI requests ----

// An invalid_request Error naming the offending field (OpenAI's "param").
Error invalid(std::string param, std::string message);
// Field paths for params: indexed("messages", 2) -> "messages[2]", member(p, "role") -> "p.role".
std::string indexed(std::string_view base, std::size_t index);
std::string member(std::string_view base, std::string_view key);
// The field, or nullptr when absent or null: OpenAI clients send both to mean "not set".
const boost::json::value* field(const boost::json::object& o, std::string_view key);
bool is_string(const boost::json::value* v, std::string_view s);

// Lenient readers for upstream JSON: a missing or mistyped field reads as empty / nullptr.
using core::string_field;
const boost::json::object* object_field(const boost::json::object& o, std::string_view key);

// ---- reading Anthropic responses ----

// OpenAI finish_reason for an Anthropic stop_reason; unknown or absent reasons count as "stop"
// because the turn did end.
std::string_view finish_reason(std::string_view stop_reason);

// "chatcmpl-..." derived from the Anthropic message id, so logs on both sides can be matched; a
// random one when the upstream sent none.
std::string completion_id(std::string_view anthropic_id);

// OpenAI's usage object: prompt/completion/total and prompt_tokens_details: cached_tokens (cache
// reads), and cache_write_tokens (cache writes) when there were any.
boost::json::object openai_usage(const AnthropicUsage& usage);

// The Error for an Anthropic error object {"type","message"} (nullptr when absent), preferring
// its type over `status` (200 for errors that arrive inside a stream).
Error error_from_object(const boost::json::object* error, int status);

}  // namespace sluice::gateway::anthropic
