// Text (plain, or Markdown when the first byte is odd, for headings, lists, tables and code)
// chunked with small sizes taken from the next bytes, so that every splitting level runs: each
// chunk is valid UTF-8, not empty, within max_tokens, counted right, and chunking is
// deterministic.

#include <algorithm>

#include "fuzz_support.hpp"
#include "rag/chunker.hpp"
#include "rag/parsers/markdown_parser.hpp"
#include "rag/parsers/plain_text_parser.hpp"
#include "rag/tokenizer.hpp"
#include "rag/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const bool markdown = (data[0] & 1) != 0;
  sluice::rag::ChunkingOptions options;
  options.target_tokens = 1 + data[1] % 64;
  options.overlap_tokens = data[2] % 32;
  options.max_tokens = options.target_tokens + data[3] % 64;
  const std::string_view text = sluice::fuzz::text(data + 4, size - 4);
  const auto parsed =
      markdown ? sluice::rag::parse_markdown(text) : sluice::rag::parse_plain_text(text);
  if (!parsed.ok()) return 0;
  const auto chunks = sluice::rag::chunk_document(*parsed, options);
  const auto again = sluice::rag::chunk_document(*parsed, options);
  FUZZ_CHECK(chunks.size() == again.size());
  if (!parsed->blocks.empty()) FUZZ_CHECK(!chunks.empty());
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const sluice::rag::TextChunk& chunk = chunks[i];
    FUZZ_CHECK(!chunk.text.empty());
    FUZZ_CHECK(sluice::rag::is_valid_utf8(chunk.text));
    FUZZ_CHECK(sluice::rag::is_valid_utf8(chunk.heading_path));
    FUZZ_CHECK(chunk.token_count ==
               static_cast<int>(sluice::rag::Tokenizer::count_tokens(chunk.text)));
    FUZZ_CHECK(chunk.token_count <= options.max_tokens);
    FUZZ_CHECK(chunk.text == again[i].text && chunk.heading_path == again[i].heading_path &&
               chunk.page == again[i].page);
  }
  return 0;
}
