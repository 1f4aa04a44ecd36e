#pragma once
// What the gateway checks of a request before routing it: OpenAI's own 400s for a body no
// upstream could answer, so that a malformed request costs no upstream call.

#include <boost/json/fwd.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sluice::gateway {

inline constexpr long long kMaxEmbeddingDimensions = 65536;

// Model missing, messages missing, not an array or empty, a message that is not an object or
// lacks a valid role, a `stream` that is not a boolean.
Status validate_chat_request(const boost::json::object& request);
// Model missing, input missing, empty or of the wrong type, bad dimensions or encoding_format.
Status validate_embeddings_request(const boost::json::object& request);

// One embeddings input: the text a vector is derived from (a token array's ids, space-separated),
// and its token count.
struct EmbeddingInput {
  std::string key;
  long long tokens = 0;
};
// OpenAI accepts a string, an array of strings, one token array, or an array of token arrays.
// Empty when `input` is none of these (or holds an empty string or token array).
std::vector<EmbeddingInput> embedding_inputs(const boost::json::value& input);

}  // namespace sluice::gateway
