#include "rag/text_splitter.hpp"

#include <algorithm>

#include "rag/tokenizer.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

enum class Level { paragraph, line, sentence, word, code_point };

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_sentence_end(char c) { return c == '.' || c == '!' || c == '?'; }
bool is_closing(char c) { return c == '"' || c == '\'' || c == ')' || c == ']'; }
// Ideographic full stop, full-width exclamation and question marks.
bool is_cjk_sentence_end(std::string_view text, std::size_t pos) {
  const std::string_view rest = text.substr(pos);
  return rest.starts_with("\xE3\x80\x82") || rest.starts_with("\xEF\xBC\x81") ||
         rest.starts_with("\xEF\xBC\x9F");
}

// Where the segment starting at `start` ends (exclusive; its trailing whitespace included).
std::size_t segment_end(std::string_view text, std::size_t start, Level level) {
  const std::size_t n = text.size();
  const auto skip_spaces = [&](std::size_t pos) {
    while (pos < n && is_space(text[pos])) ++pos;
    return pos;
  };
  std::size_t pos = start;
  switch (level) {
    case Level::paragraph:
      while (pos < n) {
        const std::size_t newline = text.find('\n', pos);
        if (newline == std::string_view::npos) return n;
        std::size_t next = newline + 1;
        while (next < n && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r')) ++next;
        if (next < n && text[next] == '\n') return skip_spaces(next);
        pos = newline + 1;
      }
      return n;
    case Level::line: {
      const std::size_t newline = text.find('\n', pos);
      return newline == std::string_view::npos ? n : skip_spaces(newline);
    }
    case Level::sentence:
      while (pos < n) {
        const char c = text[pos];
        if (c == '\n') return skip_spaces(pos);
        if (is_sentence_end(c)) {
          std::size_t after = pos + 1;
          while (after < n && (is_sentence_end(text[after]) || is_closing(text[after]))) ++after;
          if (after == n || is_space(text[after])) return skip_spaces(after);
          pos = after;
          continue;
        }
        if (is_cjk_sentence_end(text, pos)) return skip_spaces(pos + 3);
        ++pos;
      }
      return n;
    case Level::word:
      while (pos < n && !is_space(text[pos])) ++pos;
      return skip_spaces(pos);
    case Level::code_point:
      break;
  }
  return n;
}

std::string_view trim_piece(std::string_view piece) {
  while (!piece.empty() && (piece.front() == '\n' || piece.front() == '\r')) piece.remove_prefix(1);
  while (!piece.empty() && is_space(piece.back())) piece.remove_suffix(1);
  return piece;
}

class Splitter {
 public:
  Splitter(std::size_t limit, std::vector<std::string_view>& out) : limit_(limit), out_(out) {}

  void split(std::string_view text, Level level) {
    if (Tokenizer::count_tokens(text) <= limit_) return emit(text);
    if (level == Level::code_point) return cut_between_code_points(text);
    const Level finer = static_cast<Level>(static_cast<int>(level) + 1);
    std::size_t start = 0;
    std::size_t piece_start = 0;
    std::size_t piece_tokens = 0;
    while (start < text.size()) {
      const std::size_t end = std::max(segment_end(text, start, level), start + 1);
      const std::string_view segment = text.substr(start, end - start);
      if (start == 0 && end >= text.size()) return split(text, finer);  // one segment only
      const std::size_t tokens = Tokenizer::count_tokens(segment);
      if (tokens > limit_) {
        emit(text.substr(piece_start, start - piece_start));
        split(segment, finer);
        piece_start = end, piece_tokens = 0;
      } else if (piece_tokens + tokens > limit_) {
        emit(text.substr(piece_start, start - piece_start));
        piece_start = start, piece_tokens = tokens;
      } else {
        piece_tokens += tokens;
      }
      start = end;
    }
    emit(text.substr(piece_start));
  }

 private:
  void emit(std::string_view piece) {
    piece = trim_piece(piece);
    if (!piece.empty()) out_.push_back(piece);
  }

  // The last resort for text without spaces: the longest prefix within the limit, by bisection
  // over code point starts. One code point is at most one token, so a piece is never empty; a
  // token covers at most 8 bytes outside whitespace, which bounds the search.
  void cut_between_code_points(std::string_view text) {
    while (!text.empty()) {
      std::size_t fits = decode_utf8(text, 0).length;
      std::size_t too_long = std::min(text.size(), 8 * limit_ + 8) + 1;
      while (too_long - fits > 1) {
        std::size_t middle = utf8_boundary_before(text, fits + (too_long - fits) / 2);
        if (middle <= fits) middle = fits + decode_utf8(text, fits).length;
        if (middle >= too_long) break;
        if (Tokenizer::count_tokens(text.substr(0, middle)) <= limit_) {
          fits = middle;
        } else {
          too_long = middle;
        }
      }
      emit(text.substr(0, fits));
      text.remove_prefix(fits);
    }
  }

  std::size_t limit_;
  std::vector<std::string_view>& out_;
};

}  // namespace

std::vector<std::string_view> split_to_limit(std::string_view text, std::size_t limit) {
  std::vector<std::string_view> pieces;
  Splitter(std::max<std::size_t>(limit, 1), pieces).split(text, Level::paragraph);
  return pieces;
}

std::string_view sentence_tail(std::string_view text, std::size_t budget) {
  text = trim_piece(text);
  std::vector<std::size_t> starts;
  for (std::size_t start = 0; start < text.size();) {
    starts.push_back(start);
    start = std::max(segment_end(text, start, Level::sentence), start + 1);
  }
  std::size_t tail_start = text.size();
  std::size_t tokens = 0;
  for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
    const std::size_t sentence_tokens = Tokenizer::count_tokens(text.substr(*it, tail_start - *it));
    if (tokens + sentence_tokens > budget) break;
    tokens += sentence_tokens;
    tail_start = *it;
  }
  return trim_piece(text.substr(tail_start));
}

}  // namespace sluice::rag
