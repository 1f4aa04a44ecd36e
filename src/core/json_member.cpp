#include "core/json_member.hpp"

#include <cstring>

namespace sluice::core {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t skip_space(std::string_view json, std::size_t at) {
  while (at < json.size() && is_space(json[at])) ++at;
  return at;
}

// The closing quote of the string opening at `open`; npos when unterminated. Strings dominate
// large bodies (base64 images and documents), so the scan jumps between quotes with memchr.
std::size_t string_end(std::string_view json, std::size_t open) {
  std::size_t from = open + 1;
  while (from < json.size()) {
    const void* hit = std::memchr(json.data() + from, '"', json.size() - from);
    if (!hit) return npos;
    const auto quote = static_cast<std::size_t>(static_cast<const char*>(hit) - json.data());
    std::size_t backslashes = 0;
    while (quote - backslashes > open + 1 && json[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote;  // not escaped
    from = quote + 1;
  }
  return npos;
}

}  // namespace

std::optional<TextSpan> top_level_member(std::string_view json, std::string_view key) {
  std::optional<TextSpan> found;
  std::size_t value_begin = npos;  // of the member being matched, until its end is seen
  int depth = 0;
  bool key_next = false;  // the next string at depth 1 is a key
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      const std::size_t end = string_end(json, i);
      if (end == npos) return std::nullopt;
      if (depth == 1 && key_next) {
        key_next = false;
        const std::string_view name = json.substr(i + 1, end - i - 1);
        if (name.find('\\') != npos) return std::nullopt;
        if (name == key) {
          if (found || value_begin != npos) return std::nullopt;  // twice
          std::size_t at = skip_space(json, end + 1);
          if (at >= json.size() || json[at] != ':') return std::nullopt;
          at = skip_space(json, at + 1);
          if (at >= json.size()) return std::nullopt;
          value_begin = at;
          i = at - 1;  // the value is scanned as any other
          continue;
        }
      }
      i = end;
    } else if (c == '{' || c == '[') {
      if (depth == 0 && c != '{') return std::nullopt;
      if (++depth == 1) key_next = true;
    } else if (c == '}' || c == ']' || c == ',') {
      if (depth == 1 && value_begin != npos) {  // the matched member's value ends here
        std::size_t end = i;
        while (end > value_begin && is_space(json[end - 1])) --end;
        found = TextSpan{value_begin, end};
        value_begin = npos;
      }
      if (c == ',') {
        if (depth == 1) key_next = true;
      } else if (--depth == 0) {
        return found;
      }
    }
  }
  return std::nullopt;  // the top-level object never closed
}

}  // namespace sluice::core
