#include "rag/chunker.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "rag/parsers/text_cleanup.hpp"
#include "rag/text_splitter.hpp"
#include "rag/tokenizer.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

// A heading longer than this is cut in the heading path (it is metadata shown in citations).
constexpr std::size_t kMaxHeadingBytes = 200;

ChunkingOptions normalized(ChunkingOptions options) {
  options.target_tokens = std::max(options.target_tokens, 1);
  options.max_tokens = std::max(options.max_tokens, options.target_tokens);
  options.overlap_tokens = std::clamp(options.overlap_tokens, 0, options.target_tokens - 1);
  return options;
}

// The headings above the current position, one per level.
class HeadingPath {
 public:
  void enter(int level, std::string_view text) {
    level = std::clamp(level, 1, 6);
    while (!headings_.empty() && headings_.back().first >= level) headings_.pop_back();
    std::string heading = collapse_whitespace(text);
    if (heading.size() > kMaxHeadingBytes)
      heading.resize(utf8_boundary_before(heading, kMaxHeadingBytes));
    headings_.emplace_back(level, std::move(heading));
  }

  std::string joined() const {
    std::string path;
    for (const auto& [level, heading] : headings_) {
      if (heading.empty()) continue;
      path.append(path.empty() ? "" : " > ").append(heading);
    }
    return path;
  }

 private:
  std::vector<std::pair<int, std::string>> headings_;
};

class ChunkBuilder {
 public:
  ChunkBuilder(const ChunkingOptions& options, std::vector<TextChunk>& out)
      : options_(options), out_(out) {}

  void start_section(std::string heading_path) {
    finish_chunk(false);
    heading_path_ = std::move(heading_path);
  }

  void add_block(const Block& block) {
    std::string_view text = block.text;
    while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
    while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') text.remove_suffix(1);
    if (text.empty()) return;
    const std::size_t tokens = Tokenizer::count_tokens(text);
    if (tokens <= max_tokens()) return add_piece(text, tokens, block.page);
    for (std::string_view piece : split_to_limit(text, target_tokens()))
      add_piece(piece, Tokenizer::count_tokens(piece), block.page);
  }

  void finish() { finish_chunk(false); }

 private:
  std::size_t target_tokens() const { return static_cast<std::size_t>(options_.target_tokens); }
  std::size_t max_tokens() const { return static_cast<std::size_t>(options_.max_tokens); }

  void add_piece(std::string_view piece, std::size_t tokens, int page) {
    if (has_new_text_ && tokens_ + tokens > target_tokens()) finish_chunk(true);
    if (!has_new_text_) {
      if (tokens_ + tokens > max_tokens()) text_.clear(), tokens_ = 0;  // no room for overlap
      page_ = page;
    }
    if (!text_.empty()) text_.append("\n\n");
    text_.append(piece);
    tokens_ += tokens;
    has_new_text_ = true;
  }

  // Ends the current chunk; with `carry_overlap`, the next one starts with its tail.
  void finish_chunk(bool carry_overlap) {
    std::string tail;
    if (has_new_text_) {
      if (carry_overlap && options_.overlap_tokens > 0)
        tail = sentence_tail(text_, static_cast<std::size_t>(options_.overlap_tokens));
      // Pieces end at word boundaries and "\n\n" is no token: the sum is the joined count.
      out_.push_back(TextChunk{std::move(text_), heading_path_, page_, static_cast<int>(tokens_)});
    }
    text_ = std::move(tail);
    tokens_ = Tokenizer::count_tokens(text_);
    has_new_text_ = false;
  }

  const ChunkingOptions& options_;
  std::vector<TextChunk>& out_;
  std::string heading_path_;
  std::string text_;
  std::size_t tokens_ = 0;
  int page_ = 0;
  bool has_new_text_ = false;  // beyond the overlap carried from the previous chunk
};

std::vector<TextChunk> chunk_blocks(const ParsedDocument& document, const ChunkingOptions& options,
                                    bool headings_as_text) {
  std::vector<TextChunk> chunks;
  ChunkBuilder builder(options, chunks);
  HeadingPath path;
  for (const Block& block : document.blocks) {
    if (block.kind == BlockKind::heading && !headings_as_text) {
      path.enter(block.level, block.text);
      builder.start_section(path.joined());
    } else {
      builder.add_block(block);
    }
  }
  builder.finish();
  return chunks;
}

}  // namespace

std::vector<TextChunk> chunk_document(const ParsedDocument& document,
                                      const ChunkingOptions& options) {
  const ChunkingOptions bounded = normalized(options);
  std::vector<TextChunk> chunks = chunk_blocks(document, bounded, false);
  if (chunks.empty()) chunks = chunk_blocks(document, bounded, true);
  return chunks;
}

}  // namespace sluice::rag
