#pragma once

#include <cstdint>

namespace sluice::rag {

// How the tokenizer treats a code point, without ICU: letters, digits and combining marks join
// into words; Han ideographs and kana are terms of their own (CJK text has no spaces between
// words); punctuation, symbols, spaces, controls, emoji, private use and U+FFFD separate terms.
// Non-ASCII code points are words unless listed as punctuation or symbols in the table, so that
// scripts without an entry (Thai, Devanagari, Hangul, ...) still index as words.
enum class CharClass : std::uint8_t { separator, word, ideograph };

CharClass classify(char32_t code_point);

}  // namespace sluice::rag
