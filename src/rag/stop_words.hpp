#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::rag {

// Frequent function words left out of index and query terms, per Snowball language name, in the
// case-folded form the tokenizer produces (before stemming).
class StopWords {
 public:
  // The list for `language` (english, french, german, spanish), or an empty one.
  static const StopWords& for_language(std::string_view language);

  // `sorted_words` sorted bytewise and alive for as long as this object.
  explicit StopWords(std::span<const std::string_view> sorted_words);

  bool contains(std::string_view folded_word) const;
  std::span<const std::string_view> words() const { return words_; }

 private:
  std::span<const std::string_view> words_;
  std::size_t longest_ = 0;  // longer words skip the search: most terms are
  // words_[first_[b], first_[b + 1]) start with byte b: the search covers a handful of words.
  std::array<std::uint16_t, 257> first_{};
};

}  // namespace sluice::rag
