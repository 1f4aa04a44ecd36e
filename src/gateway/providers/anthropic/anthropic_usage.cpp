#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {

Usage usage_from_anthropic(const AnthropicUsage& usage) {
  Usage out;
  out.prompt_tokens = usage.prompt_tokens();
  out.completion_tokens = usage.output_tokens;
  out.cached_tokens = usage.cache_read_input_tokens;
  out.cache_creation_tokens = usage.cache_creation_input_tokens;
  out.reported = true;
  return out;
}

}  // namespace sluice::gateway
