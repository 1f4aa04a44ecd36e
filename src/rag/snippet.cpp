#include "rag/snippet.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

struct Word {
  std::size_t start = 0, end = 0;
  int hits = 0;
};

// Membership in the sorted query terms, with a filter on first byte and length in front of the
// binary search: most of a text's terms fail it, and it costs a few instructions.
class QueryTerms {
 public:
  explicit QueryTerms(std::span<const std::string> sorted) : sorted_(sorted) {
    for (const std::string& term : sorted) {
      if (term.empty()) continue;
      const auto first = static_cast<unsigned char>(term[0]);
      first_bytes_[first / 64] |= uint64_t{1} << (first % 64);
      lengths_ |= uint64_t{1} << (term.size() % 64);
    }
  }
  bool contains(std::string_view term) const {
    if (term.empty()) return false;
    const auto first = static_cast<unsigned char>(term[0]);
    if (!(first_bytes_[first / 64] >> (first % 64) & 1) || !(lengths_ >> (term.size() % 64) & 1))
      return false;
    return std::binary_search(sorted_.begin(), sorted_.end(), term,
                              [](std::string_view a, std::string_view b) { return a < b; });
  }

 private:
  std::span<const std::string> sorted_;
  uint64_t first_bytes_[4] = {};
  uint64_t lengths_ = 0;
};

// The whitespace-separated words with their hits. Whitespace also separates the tokenizer's
// words, so tokenizing the whole text gives each word the terms it would give alone; a term's
// word is the last one starting at or before the term's offset.
std::vector<Word> words_of(std::string_view text, const Tokenizer& tokenizer,
                           std::span<const std::string> query_terms) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (start == i) break;
    words.push_back(Word{start, i, 0});
  }
  if (query_terms.empty() || words.empty()) return words;
  const QueryTerms wanted(query_terms);
  std::size_t current = 0;
  tokenizer.for_each_term_at(text, [&](std::string_view term, std::size_t word_start) {
    if (!wanted.contains(term)) return;
    while (current + 1 < words.size() && words[current + 1].start <= word_start) ++current;
    ++words[current].hits;
  });
  return words;
}

}  // namespace

std::string best_snippet(std::string_view text, const Tokenizer& tokenizer,
                         std::span<const std::string> query_terms, std::size_t max_bytes) {
  const std::vector<Word> words = words_of(text, tokenizer, query_terms);
  if (words.empty()) return {};
  // Sliding window over words: [first, last) spans at most max_bytes of the text.
  std::size_t best_first = 0, best_last = 0, last = 0;
  int best_hits = -1, hits = 0;
  for (std::size_t first = 0; first < words.size(); ++first) {
    if (last < first) {
      last = first;
      hits = 0;
    }
    while (last < words.size() && words[last].end - words[first].start <= max_bytes)
      hits += words[last++].hits;
    if (hits > best_hits) {
      best_hits = hits;
      best_first = first;
      best_last = last;
    }
    if (last > first) hits -= words[first].hits;
  }
  std::string snippet;
  if (best_last == best_first) {  // one word longer than the window
    const Word& word = words[best_first];
    const std::string_view long_word = text.substr(word.start, word.end - word.start);
    return std::string(long_word.substr(0, utf8_boundary_before(long_word, max_bytes)));
  }
  for (std::size_t w = best_first; w < best_last; ++w) {
    if (!snippet.empty()) snippet.push_back(' ');
    snippet.append(text.substr(words[w].start, words[w].end - words[w].start));
  }
  return snippet;
}

}  // namespace sluice::rag
