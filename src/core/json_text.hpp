#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace sluice::core {

// Appends `value` as a JSON string literal (quotes included), escaping per RFC 8259. Invalid UTF-8
// (client bytes: paths, headers) becomes U+FFFD, one per maximal ill-formed subpart, so the output
// is always valid JSON. Used where a whole JSON library would be overkill on a hot path: log
// lines and fixed-shape bodies.
void append_json_string(std::string& out, std::string_view value);

// Appends an integer as a JSON number.
template <std::integral Integer>
requires(!std::same_as<Integer, bool>) void append_json_number(std::string& out, Integer value) {
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, written.ptr);
}

// Appends a double as a JSON number in its shortest round-trip form; null when it is not finite,
// which JSON cannot write.
void append_json_number(std::string& out, double value);

}  // namespace sluice::core
