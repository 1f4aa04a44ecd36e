#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::rag {

// UTF-8 helpers shared by the parsers, the tokenizer and the chunker (no locale, no ICU).

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// The code point starting at text[pos] and its length in bytes. A byte that does not start a
// well-formed sequence (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) decodes as
// {kReplacementCharacter, 1} with `valid` false, so a caller always advances.
struct DecodedCodePoint {
  char32_t code_point;
  std::size_t length;
  bool valid;
};
DecodedCodePoint decode_utf8(std::string_view text, std::size_t pos);

// Appends the UTF-8 encoding of `code_point` (a valid scalar value) to `out`.
void append_utf8(std::string& out, char32_t code_point);

// Whether `text` is entirely well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// `text` with each ill-formed byte replaced by U+FFFD; `replaced` (if given) counts them.
std::string to_valid_utf8(std::string_view text, std::size_t* replaced = nullptr);

// The largest position <= `pos` that does not fall inside a multi-byte sequence of `text`.
std::size_t utf8_boundary_before(std::string_view text, std::size_t pos);

}  // namespace sluice::rag
