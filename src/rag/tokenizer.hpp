#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::rag {

class StopWords;

// Index and query terms of a text, for one Snowball language. Words are maximal runs of Unicode
// letters, digits and combining marks (rag/char_class; Han ideographs and kana are one term each),
// case-folded (rag/case_fold), stop words removed, then stemmed. Ill-formed UTF-8 bytes separate
// words. Words longer than kMaxTermBytes after folding (base64, hashes, minified code) are dropped.
// No Unicode normalization: a precomposed "é" and "e" + U+0301 give different terms.
//
// Thread safety: a Tokenizer is immutable and may be shared by any number of threads; the Snowball
// stemmers, which are not thread-safe, are kept one per thread and language with a cache of
// recent stems (about 2.4 MB each).
class Tokenizer {
 public:
  static constexpr std::size_t kMaxTermBytes = 64;

  // `language` is a Snowball algorithm name (english, french, german, spanish, russian, ... as
  // sb_stemmer_list() spells them; stop words for english, french, german, spanish), or "none"
  // for case folding only. Anything else is an invalid_request error naming the choices.
  static Result<Tokenizer> create(std::string_view language);

  const std::string& language() const { return language_; }

  // Calls on_term(std::string_view term) for each term in order. The view is valid only during the
  // call, which must not tokenize in the same language itself (the view may point into this
  // thread's stem cache); nothing is allocated per term once the cache is warm.
  template <class OnTerm>
  void for_each_term(std::string_view text, OnTerm&& on_term) const {
    for_each_term_impl(
        text, [](void* context, std::string_view term) { (*static_cast<OnTerm*>(context))(term); },
        &on_term);
  }

  // The terms of `text` in order, duplicates kept.
  std::vector<std::string> terms(std::string_view text) const;

  // Approximate LLM tokens in `text`, for chunk sizing: each run of letters and digits costs
  // ceil(units / 4) tokens where an ASCII character is one unit and any other code point two
  // (about 4 characters per token in English, 2 in Cyrillic or Greek); each ideograph, punctuation
  // mark, symbol or ill-formed byte one token; ASCII whitespace nothing. It leans high for long
  // English words, so chunks sized by it stay within a model's real budget. Additive over text
  // joined by whitespace, never more than text.size().
  static std::size_t count_tokens(std::string_view text);

 private:
  using TermSink = void (*)(void* context, std::string_view term);

  Tokenizer(std::string language, const StopWords& stop_words, bool stems);
  void for_each_term_impl(std::string_view text, TermSink sink, void* context) const;

  std::string language_;
  const StopWords* stop_words_;
  bool stems_;
};

}  // namespace sluice::rag
