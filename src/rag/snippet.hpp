#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "rag/tokenizer.hpp"

namespace sluice::rag {

inline constexpr std::size_t kSnippetBytes = 240;

// The window of `text` with the most words whose terms are among `query_terms` (sorted
// ascending; the earliest of equals; the start when none match), at most `max_bytes`, cut on
// whitespace and never inside a UTF-8 sequence, whitespace runs shown as one space. A word longer
// than the window is cut at a code point boundary. The text is tokenized once, as a whole.
std::string best_snippet(std::string_view text, const Tokenizer& tokenizer,
                         std::span<const std::string> query_terms,
                         std::size_t max_bytes = kSnippetBytes);

}  // namespace sluice::rag
