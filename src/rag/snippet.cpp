#include "rag/snippet.hpp"

#include <algorithm>
#include <cstring>

#include "core/fnv1a.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

struct Word {
  std::size_t start = 0, end = 0;
  int hits = 0;
};

}  // namespace

SnippetMaker::SnippetMaker(const Tokenizer& tokenizer, std::span<const std::string> query_terms,
                           std::size_t max_bytes)
    : tokenizer_(tokenizer), query_terms_(query_terms), max_bytes_(max_bytes) {
  for (const std::string& term : query_terms) {
    if (term.empty()) continue;
    const auto first = static_cast<unsigned char>(term[0]);
    first_bytes_[first / 64] |= uint64_t{1} << (first % 64);
    lengths_ |= uint64_t{1} << (term.size() % 64);
  }
}

// A filter on first byte and length in front of the binary search: most terms fail it cheaply.
bool SnippetMaker::is_query_term(std::string_view term) const {
  if (term.empty()) return false;
  const auto first = static_cast<unsigned char>(term[0]);
  if (!(first_bytes_[first / 64] >> (first % 64) & 1) || !(lengths_ >> (term.size() % 64) & 1))
    return false;
  return std::binary_search(query_terms_.begin(), query_terms_.end(), term,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

int SnippetMaker::count_hits(std::string_view word) const {
  int hits = 0;
  tokenizer_.for_each_term(word, [&](std::string_view term) { hits += is_query_term(term); });
  return hits;
}

int SnippetMaker::hits_of(std::string_view word) {
  if (query_terms_.empty()) return 0;
  if (word.size() > kMaxMemoWord) return count_hits(word);
  if (slots_.empty()) slots_.resize(kSlots);
  const uint64_t hash = core::fnv1a(word);  // words are short; this runs for each word of a hit
  for (std::size_t i = hash & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
    Slot& slot = slots_[i];
    if (slot.length == 0) break;
    if (slot.hash == hash && slot.length == word.size() &&
        std::memcmp(arena_.data() + slot.offset, word.data(), word.size()) == 0)
      return slot.hits;
  }
  const int hits = count_hits(word);
  if (used_ * 2 >= kSlots || arena_.size() + word.size() > kMaxArena) {  // full: start over
    std::fill(slots_.begin(), slots_.end(), Slot{});
    used_ = 0;
    arena_.clear();
  }
  std::size_t i = hash & (kSlots - 1);
  while (slots_[i].length != 0) i = (i + 1) & (kSlots - 1);
  slots_[i] = Slot{hash, static_cast<uint32_t>(arena_.size()), static_cast<uint16_t>(word.size()),
                   static_cast<uint16_t>(hits)};
  arena_.append(word);
  ++used_;
  return hits;
}

std::string SnippetMaker::best(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (start == i) break;
    words.push_back(Word{start, i, hits_of(text.substr(start, i - start))});
  }
  if (words.empty()) return {};
  // Sliding window over words: [first, last) spans at most max_bytes_ of the text.
  std::size_t best_first = 0, best_last = 0, last = 0;
  int best_hits = -1, hits = 0;
  for (std::size_t first = 0; first < words.size(); ++first) {
    if (last < first) {
      last = first;
      hits = 0;
    }
    while (last < words.size() && words[last].end - words[first].start <= max_bytes_)
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
    return std::string(long_word.substr(0, utf8_boundary_before(long_word, max_bytes_)));
  }
  for (std::size_t w = best_first; w < best_last; ++w) {
    if (!snippet.empty()) snippet.push_back(' ');
    snippet.append(text.substr(words[w].start, words[w].end - words[w].start));
  }
  return snippet;
}

std::string best_snippet(std::string_view text, const Tokenizer& tokenizer,
                         std::span<const std::string> query_terms, std::size_t max_bytes) {
  return SnippetMaker(tokenizer, query_terms, max_bytes).best(text);
}

}  // namespace sluice::rag
