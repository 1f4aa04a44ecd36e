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
  // cache_creation's split of the writes by how long they are kept: {ephemeral_5m_input_tokens,
  // ephemeral_1h_input_tokens}, which add up to cache_creation_input_tokens.
  long long cache_creation_5m_input_tokens = 0;
  long long cache_creation_1h_input_tokens = 0;

  // Every cache write: cache_creation_input_tokens, or the split's sum should that be larger
  // (an upstream that sends only the split).
  long long cache_writes() const {
    const long long split = cache_creation_5m_input_tokens + cache_creation_1h_input_tokens;
    return cache_creation_input_tokens > split ? cache_creation_input_tokens : split;
  }
  long long prompt_tokens() const {
    return input_tokens + cache_read_input_tokens + cache_writes();
  }
  // The gateway's usage (marked reported): prompt_tokens as above, cache reads as cached_tokens,
  // cache writes as cache_write_tokens, the 1-hour ones among them as cache_write_1h_tokens.
  Usage to_usage() const;
};

namespace anthropic {

// Reads a usage object ({"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
// "output_tokens", "cache_creation": {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"}})
// into `out`, overwriting only the counts present: a message's usage, or in a stream
// message_start's and then each message_delta's (their counts are totals so far, never deltas).
// Counts are sanitized with token_count(); null or absent ones are left as they were.
void read_usage(const boost::json::object& usage, AnthropicUsage& out);

}  // namespace anthropic
}  // namespace sluice::gateway
