#include "gateway/providers/anthropic/anthropic_usage.hpp"

#include <boost/json.hpp>

#include "gateway/token_count.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

void read_count(const json::object& usage, std::string_view key, long long& out) {
  if (const json::value* v = usage.if_contains(key); v && !v->is_null()) out = token_count(*v);
}

}  // namespace

Usage AnthropicUsage::to_usage() const {
  Usage usage;
  usage.prompt_tokens = prompt_tokens();
  usage.completion_tokens = output_tokens;
  usage.cached_tokens = cache_read_input_tokens;
  usage.cache_write_tokens = cache_writes();
  usage.cache_write_1h_tokens = cache_creation_1h_input_tokens;
  usage.reported = true;
  return usage;
}

namespace anthropic {

void read_usage(const json::object& usage, AnthropicUsage& out) {
  read_count(usage, "input_tokens", out.input_tokens);
  read_count(usage, "cache_read_input_tokens", out.cache_read_input_tokens);
  read_count(usage, "cache_creation_input_tokens", out.cache_creation_input_tokens);
  read_count(usage, "output_tokens", out.output_tokens);
  if (const json::value* split = usage.if_contains("cache_creation"); split && split->is_object()) {
    read_count(split->get_object(), "ephemeral_5m_input_tokens",
               out.cache_creation_5m_input_tokens);
    read_count(split->get_object(), "ephemeral_1h_input_tokens",
               out.cache_creation_1h_input_tokens);
  }
}

}  // namespace anthropic
}  // namespace sluice::gateway
