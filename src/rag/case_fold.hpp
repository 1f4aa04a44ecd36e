#pragma once

namespace sluice::rag {

// Simple (one code point to one code point) Unicode case folding without ICU, for index and query
// terms: ASCII, Latin-1 Supplement, Latin Extended-A and -B, Greek and Coptic (final sigma folds
// to sigma), Cyrillic and its Supplement, Armenian, Latin Extended Additional, and full-width
// ASCII letters and digits (folded to plain ASCII). Other code points are returned unchanged.
// Full foldings that expand (German sharp s to "ss") are left to the stemmers; U+0130 (capital I
// with dot) folds to plain "i". Idempotent: fold_case(fold_case(c)) == fold_case(c).
char32_t fold_case(char32_t code_point);

}  // namespace sluice::rag
