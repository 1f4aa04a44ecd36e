#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rag/tokenizer.hpp"

namespace sluice::rag {

inline constexpr std::size_t kSnippetBytes = 240;

// Cuts snippets for one query: the window of a text with the most words whose terms are among
// the query's (the earliest of equals; the start when none match), at most `max_bytes`, cut on
// whitespace and never inside a UTF-8 sequence, whitespace runs shown as one space. A word longer
// than the window is cut at a code point boundary.
//
// The hits of a search share most of their words, so each distinct word (as written) is
// tokenized once per maker and its hit count remembered; the memo is bounded and starts over
// when full. Not thread-safe: one maker per search.
class SnippetMaker {
 public:
  // `query_terms` sorted ascending and kept alive by the caller.
  SnippetMaker(const Tokenizer& tokenizer, std::span<const std::string> query_terms,
               std::size_t max_bytes = kSnippetBytes);

  std::string best(std::string_view text);

 private:
  static constexpr std::size_t kSlots = 2048;        // a power of two
  static constexpr std::size_t kMaxMemoWord = 64;    // longer words are tokenized every time
  static constexpr std::size_t kMaxArena = 1 << 18;  // bytes of remembered words

  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;  // of the word in arena_
    uint16_t length = 0;  // 0: empty
    uint16_t hits = 0;
  };

  int hits_of(std::string_view word);
  int count_hits(std::string_view word) const;
  bool is_query_term(std::string_view term) const;

  const Tokenizer& tokenizer_;
  std::span<const std::string> query_terms_;
  std::size_t max_bytes_;
  uint64_t first_bytes_[4] = {};  // the query terms' first bytes, as a bit set
  uint64_t lengths_ = 0;          // their lengths modulo 64, as a bit set
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  std::string arena_;
};

// One snippet; see SnippetMaker.
std::string best_snippet(std::string_view text, const Tokenizer& tokenizer,
                         std::span<const std::string> query_terms,
                         std::size_t max_bytes = kSnippetBytes);

}  // namespace sluice::rag
