#include "rag/snippet.hpp"

#include <vector>

#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

struct Word {
  std::size_t start = 0, end = 0;
  int hits = 0;
};

std::vector<Word> words_of(std::string_view text, const Tokenizer& tokenizer,
                           const std::unordered_set<std::string>& query_terms) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (start == i) break;
    Word word{start, i, 0};
    if (!query_terms.empty())
      tokenizer.for_each_term(text.substr(start, i - start), [&](std::string_view term) {
        if (query_terms.contains(std::string(term))) ++word.hits;
      });
    words.push_back(word);
  }
  return words;
}

}  // namespace

std::string best_snippet(std::string_view text, const Tokenizer& tokenizer,
                         const std::unordered_set<std::string>& query_terms,
                         std::size_t max_bytes) {
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
