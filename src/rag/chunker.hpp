#pragma once

#include <string>
#include <vector>

#include "rag/parsed_document.hpp"

namespace sluice::rag {

// Sizes in Tokenizer::count_tokens units. Out-of-range values are brought into range rather than
// refused: target at least 1, max at least target, overlap in [0, target).
struct ChunkingOptions {
  int target_tokens = 400;
  int overlap_tokens = 50;
  int max_tokens = 800;
};

struct TextChunk {
  std::string text;          // blocks joined by blank lines; headings are not repeated here
  std::string heading_path;  // "Guide > Install > Linux": the headings above the chunk
  int page = 0;              // page of the chunk's first new block (0: the format has no pages)
  int token_count = 0;       // Tokenizer::count_tokens(text)
};

// Structure-aware chunks of a document, deterministic (a retried ingestion gets the same ones).
// Each heading ends the current chunk and sets the heading path of the following ones. Blocks
// are packed greedily while the chunk stays within target_tokens; a block of up to max_tokens
// stays whole (alone, if it is over the target); a longer one is split at paragraphs, lines,
// sentences, words, then code points into pieces of at most target_tokens. A chunk that follows
// another in the same section starts with the previous one's last whole sentences, at most
// overlap_tokens of them (dropped if they would push it over max_tokens). Every chunk has at most
// max_tokens. A document made only of headings is chunked as if they were paragraphs.
std::vector<TextChunk> chunk_document(const ParsedDocument& document,
                                      const ChunkingOptions& options);

}  // namespace sluice::rag
