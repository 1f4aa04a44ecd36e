#include "core/json_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace sluice::core {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The well-formed UTF-8 sequence starting at `s[0]` (a byte >= 0x80), per Unicode Table 3-7.
// Returns its length as a positive number, or minus the length of the maximal ill-formed prefix
// (at least 1), which Unicode's "substitution of maximal subparts" replaces with one U+FFFD.
int utf8_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  int length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range allowed for the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    if (static_cast<std::size_t>(i) >= s.size()) return -i;
    const unsigned char c = byte(static_cast<std::size_t>(i));
    if (c < low || c > high) return -i;
    low = 0x80;
    high = 0xBF;
  }
  return length;
}

// The length of the prefix of `s` that is printable ASCII needing no escape (no control byte,
// no byte >= 0x80, no '"' or '\\'), tested eight bytes at a time: access-log values are mostly
// such text, and this loop is on every request's path.
std::size_t clean_prefix(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  const auto has_zero_byte = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof w);
    const std::uint64_t special = (w & kHighs) | ((w - 0x20 * kOnes) & ~w & kHighs) |
                                  has_zero_byte(w ^ ('"' * kOnes)) |
                                  has_zero_byte(w ^ ('\\' * kOnes));
    if (special != 0) break;
  }
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return i;
}

}  // namespace

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char digits[32];
  const auto written = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, written.ptr);
}

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Fast path: most values (ids, routes, paths) are printable ASCII that needs no escaping.
  const std::size_t clean = clean_prefix(value);
  out.append(value.data(), clean);
  value.remove_prefix(clean);
  while (!value.empty()) {
    const unsigned char c = static_cast<unsigned char>(value.front());
    if (c >= 0x80) {
      // Client bytes (paths, headers) may be any bytes; the output must stay valid JSON.
      const int sequence = utf8_sequence(value);
      if (sequence > 0)
        out.append(value.data(), static_cast<std::size_t>(sequence));
      else
        out.append(kReplacement);
      value.remove_prefix(static_cast<std::size_t>(sequence > 0 ? sequence : -sequence));
      continue;
    }
    value.remove_prefix(1);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace sluice::core
