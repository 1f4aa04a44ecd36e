#include "rag/char_class.hpp"

#include <algorithm>
#include <iterator>

namespace sluice::rag {

namespace {

struct ClassRange {
  char32_t first;
  char32_t last;
  CharClass kind;
};

constexpr CharClass S = CharClass::separator;
constexpr CharClass I = CharClass::ideograph;

// Sorted, non-overlapping; everything from U+0080 not covered here is a word character.
constexpr ClassRange kRanges[] = {
    {0x0080, 0x00A9, S},     // C1 controls, Latin-1 punctuation and symbols
    {0x00AB, 0x00B4, S},     // (ª U+00AA is a letter)
    {0x00B6, 0x00B9, S},     // (µ U+00B5 is a letter)
    {0x00BB, 0x00BF, S},     // (º U+00BA is a letter)
    {0x00D7, 0x00D7, S},     // multiplication sign
    {0x00F7, 0x00F7, S},     // division sign
    {0x02C2, 0x02C5, S},     // modifier arrowheads
    {0x02D2, 0x02DF, S},     // modifier symbols
    {0x0375, 0x0375, S},     // Greek lower numeral sign
    {0x037E, 0x037E, S},     // Greek question mark
    {0x0384, 0x0385, S},     // Greek tonos
    {0x0387, 0x0387, S},     // Greek ano teleia
    {0x03F6, 0x03F6, S},     // Greek reversed lunate epsilon symbol
    {0x0482, 0x0482, S},     // Cyrillic thousands sign
    {0x055A, 0x055F, S},     // Armenian punctuation
    {0x0589, 0x058A, S},     // Armenian full stop, hyphen
    {0x058D, 0x058F, S},     // Armenian symbols, dram sign
    {0x05BE, 0x05BE, S},     // Hebrew maqaf
    {0x05C0, 0x05C0, S},     // Hebrew paseq
    {0x05C3, 0x05C3, S},     // Hebrew sof pasuq
    {0x05C6, 0x05C6, S},     // Hebrew nun hafukha
    {0x05F3, 0x05F4, S},     // Hebrew geresh, gershayim
    {0x0600, 0x060F, S},     // Arabic signs and punctuation
    {0x061B, 0x061F, S},     // Arabic semicolon .. question mark
    {0x066A, 0x066D, S},     // Arabic percent, separators, star
    {0x06D4, 0x06D4, S},     // Arabic full stop
    {0x0964, 0x0965, S},     // Devanagari danda
    {0x0970, 0x0970, S},     // Devanagari abbreviation sign
    {0x0E3F, 0x0E3F, S},     // Thai baht
    {0x0E4F, 0x0E4F, S},     // Thai fongman
    {0x0E5A, 0x0E5B, S},     // Thai angkhankhu, khomut
    {0x1680, 0x1680, S},     // Ogham space
    {0x180E, 0x180E, S},     // Mongolian vowel separator
    {0x2000, 0x2BFF, S},     // spaces, punctuation, currency, arrows, math, boxes, dingbats
    {0x2E00, 0x2E7F, S},     // supplemental punctuation
    {0x2FF0, 0x303F, S},     // ideographic description, CJK symbols and punctuation
    {0x3040, 0x30FF, I},     // Hiragana, Katakana
    {0x3200, 0x33FF, S},     // enclosed CJK letters, CJK compatibility
    {0x3400, 0x4DBF, I},     // CJK Extension A
    {0x4DC0, 0x4DFF, S},     // Yijing hexagrams
    {0x4E00, 0x9FFF, I},     // CJK Unified Ideographs
    {0xD800, 0xF8FF, S},     // surrogates, private use
    {0xF900, 0xFAFF, I},     // CJK Compatibility Ideographs
    {0xFE10, 0xFE1F, S},     // vertical forms
    {0xFE30, 0xFE6F, S},     // CJK compatibility and small forms
    {0xFEFF, 0xFEFF, S},     // byte order mark
    {0xFF00, 0xFF0F, S},     // full-width punctuation
    {0xFF1A, 0xFF20, S},     //
    {0xFF3B, 0xFF40, S},     //
    {0xFF5B, 0xFF65, S},     // full-width and half-width punctuation
    {0xFFF0, 0xFFFF, S},     // specials, U+FFFD
    {0x1F000, 0x1FAFF, S},   // mahjong, cards, emoji, pictographs
    {0x20000, 0x3FFFF, I},   // CJK Extensions B..H
    {0xE0000, 0x10FFFF, S},  // tags, variation selectors, private use
};

}  // namespace

CharClass classify(char32_t c) {
  if (c < 0x80) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alnum ? CharClass::word : CharClass::separator;
  }
  const ClassRange* range = std::upper_bound(
      std::begin(kRanges), std::end(kRanges), c,
      [](char32_t value, const ClassRange& candidate) { return value < candidate.first; });
  if (range == std::begin(kRanges)) return CharClass::word;
  --range;
  return c <= range->last ? range->kind : CharClass::word;
}

}  // namespace sluice::rag
