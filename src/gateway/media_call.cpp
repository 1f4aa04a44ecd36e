#include "gateway/media_call.hpp"

#include <boost/json.hpp>

#include "gateway/token_count.hpp"

namespace sluice::gateway {
namespace json = boost::json;

bool read_media_usage(std::string_view text, Usage& usage) {
  constexpr std::string_view kKey = "\"usage\"";
  const auto at = text.rfind(kKey);
  if (at == std::string_view::npos) return false;
  const auto open = text.find_first_not_of(" \t\r\n:", at + kKey.size());
  if (open == std::string_view::npos || text[open] != '{') return false;
  unsigned char initial[1024];
  json::monotonic_resource arena(initial, sizeof initial);
  json::parser parser;
  parser.reset(json::storage_ptr(&arena));
  json::error_code ec;
  parser.write_some(text.substr(open), ec);  // stops after the object: what follows is not read
  if (ec) return false;
  const json::value value = parser.release();
  if (!value.is_object()) return false;
  const json::object& u = value.get_object();
  const auto number = [](const json::object& o, std::string_view key) -> long long {
    const json::value* v = o.if_contains(key);
    return v ? token_count(*v) : 0;
  };
  const bool tokens = u.contains("input_tokens") || u.contains("output_tokens");
  if (!tokens && !u.contains("prompt_tokens") && !u.contains("completion_tokens")) return false;
  usage.prompt_tokens = number(u, tokens ? "input_tokens" : "prompt_tokens");
  usage.completion_tokens = number(u, tokens ? "output_tokens" : "completion_tokens");
  for (const char* details : {"input_tokens_details", "prompt_tokens_details"})
    if (const json::value* d = u.if_contains(details); d && d->is_object())
      usage.cached_tokens = std::max(usage.cached_tokens, number(d->get_object(), "cached_tokens"));
  usage.reported = true;
  usage.estimated = false;
  return true;
}

}  // namespace sluice::gateway
