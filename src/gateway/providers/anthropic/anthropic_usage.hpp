#pragma once
// Anthropic's usage object, read in one place for everything that receives Messages API answers
// (the OpenAI-translating provider, and any Messages pass-through), so that cache reads and
// cache writes are counted, and priced, the same way everywhere.

#include <boost/json/fwd.hpp>

#include "gateway/types.hpp"

namespace sluice::gateway {

// Token counts as Anthropic reports them. Cached input is billed apart from `input_tokens`, so
// OpenAI's prompt_tokens is the sum of the three input counts.
struct AnthropicUsage {
  long long input_tokens = 0;
  long long cache_read_input_tokens = 0;
  long long cache_creation_input_tokens = 0;
  long long output_tokens = 0;

  long long prompt_tokens() const {
    return input_tokens + cache_read_input_tokens + cache_creation_input_tokens;
  }
  // The gateway's usage (marked reported): prompt_tokens as above, cache reads as cached_tokens,
  // cache writes as cache_write_tokens.
  Usage to_usage() const;
};

namespace anthropic {

// Reads a usage object ({"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
// "output_tokens"}) into `out`, overwriting only the counts present: a message's usage, or in a
// stream message_start's and then each message_delta's (their counts are totals so far, never
// deltas). Counts are sanitized with token_count(); null or absent ones are left as they were.
void read_usage(const boost::json::object& usage, AnthropicUsage& out);

}  // namespace anthropic
}  // namespace sluice::gateway
