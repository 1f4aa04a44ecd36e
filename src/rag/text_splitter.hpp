#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace sluice::rag {

// Cuts text that is too long for one chunk, at the largest boundary that works: paragraphs (blank
// lines), then lines, then sentences, then words, and only then between code points (never
// inside a UTF-8 sequence). Sizes are Tokenizer::count_tokens.

// Pieces of `text` in order, each with at most `limit` (>= 1) tokens, packed greedily from
// consecutive segments, views into `text` without leading line breaks or trailing whitespace;
// empty pieces are left out.
std::vector<std::string_view> split_to_limit(std::string_view text, std::size_t limit);

// The longest run of whole sentences (or lines) that ends `text` and has at most `budget` tokens,
// trimmed; empty when even the last sentence is over the budget.
std::string_view sentence_tail(std::string_view text, std::size_t budget);

}  // namespace sluice::rag
