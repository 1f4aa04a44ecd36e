#include "rag/tokenizer.hpp"

#include <libstemmer.h>

#include <array>
#include <functional>
#include <memory>
#include <new>
#include <utility>

#include "rag/case_fold.hpp"
#include "rag/char_class.hpp"
#include "rag/stop_words.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

constexpr std::string_view kNoStemming = "none";

// ASCII bytes folded in one load: a lower-case letter or digit, or 0 for a separator.
constexpr std::array<char, 128> build_ascii_fold() {
  std::array<char, 128> table{};
  for (char c = '0'; c <= '9'; ++c) table[c] = c;
  for (char c = 'a'; c <= 'z'; ++c) table[c] = c;
  for (char c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char>(c + 32);
  return table;
}
constexpr std::array<char, 128> kAsciiFold = build_ascii_fold();

bool is_snowball_language(std::string_view language) {
  for (const char** name = sb_stemmer_list(); *name != nullptr; ++name)
    if (language == *name) return true;
  return false;
}

std::string snowball_languages() {
  std::string names;
  for (const char** name = sb_stemmer_list(); *name != nullptr; ++name)
    names.append(names.empty() ? "" : ", ").append(*name);
  return names;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};

// What a folded word becomes: nothing (a stop word) or its stem, from a Snowball stemmer (which
// keeps state between calls, so one per thread) behind a direct-mapped cache of recent words.
// Word frequencies follow Zipf's law, so most words of a text were seen moments ago, and a
// lookup (one hash, one comparison) costs far less than the stop-word search and the stemmer
// (about 1 us a word). Entries keep their strings' capacity: a warm cache allocates nothing.
class TermCache {
 public:
  TermCache(const std::string& language, const StopWords& stop_words)
      : stemmer_(sb_stemmer_new(language.c_str(), "UTF_8")),
        stop_words_(stop_words),
        entries_(kEntries) {
    if (stemmer_ == nullptr) throw std::bad_alloc();  // the language was checked at creation
  }

  // The term for `word`, or nullptr for a stop word; valid until the next call.
  const std::string* term_for(std::string_view word) {
    Entry& entry = entries_[std::hash<std::string_view>{}(word) & (kEntries - 1)];
    if (!entry.filled || entry.word != word) fill(entry, word);
    return entry.stop_word ? nullptr : &entry.term;
  }

 private:
  static constexpr std::size_t kEntries = 32768;  // a power of two; a corpus's common vocabulary
  struct Entry {
    std::string word;
    std::string term;
    bool filled = false;
    bool stop_word = false;
  };

  void fill(Entry& entry, std::string_view word) {
    entry.word.assign(word);
    entry.filled = true;
    entry.stop_word = stop_words_.contains(word);
    if (entry.stop_word) return;
    const sb_symbol* stem =
        sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                        static_cast<int>(word.size()));
    if (stem == nullptr) throw std::bad_alloc();
    entry.term.assign(reinterpret_cast<const char*>(stem),
                      static_cast<std::size_t>(sb_stemmer_length(stemmer_.get())));
  }

  std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer_;
  const StopWords& stop_words_;
  std::vector<Entry> entries_;
};

// This thread's cache for `language`. A thread meets few languages, so a list beats a map.
TermCache& thread_term_cache(const std::string& language, const StopWords& stop_words) {
  thread_local std::vector<std::pair<std::string, std::unique_ptr<TermCache>>> caches;
  for (const auto& [name, cache] : caches)
    if (name == language) return *cache;
  auto cache = std::make_unique<TermCache>(language, stop_words);
  return *caches.emplace_back(language, std::move(cache)).second;
}

bool is_ascii_digits(std::string_view word) {
  for (char c : word)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Result<Tokenizer> Tokenizer::create(std::string_view language) {
  if (language == kNoStemming)
    return Tokenizer(std::string(language), StopWords::for_language(""), false);
  if (!is_snowball_language(language))
    return make_error(Errc::invalid_request,
                      "unknown language '" + std::string(language) + "'; expected none or one of " +
                          snowball_languages(),
                      "language");
  return Tokenizer(std::string(language), StopWords::for_language(language), true);
}

Tokenizer::Tokenizer(std::string language, const StopWords& stop_words, bool stems)
    : language_(std::move(language)), stop_words_(&stop_words), stems_(stems) {}

void Tokenizer::for_each_term_impl(std::string_view text, TermSink sink, void* context) const {
  TermCache* cache = stems_ ? &thread_term_cache(language_, *stop_words_) : nullptr;
  std::string word;
  word.reserve(kMaxTermBytes + 4);
  bool too_long = false;
  const auto emit = [&](std::string_view folded) {
    if (cache == nullptr || is_ascii_digits(folded)) {  // no stop word is a number
      if (!stop_words_->contains(folded)) sink(context, folded);
    } else if (const std::string* term = cache->term_for(folded)) {
      sink(context, *term);
    }
  };
  const auto end_word = [&] {
    if (!word.empty() && !too_long) emit(word);
    word.clear();
    too_long = false;
  };
  const auto append = [&](auto&& add) {
    if (too_long) return;
    add();
    if (word.size() > kMaxTermBytes) too_long = true;
  };

  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      const char folded = kAsciiFold[byte];
      if (folded != 0) {
        append([&] { word.push_back(folded); });
      } else {
        end_word();
      }
      ++pos;
      continue;
    }
    const DecodedCodePoint decoded = decode_utf8(text, pos);
    pos += decoded.length;
    const CharClass kind = decoded.valid ? classify(decoded.code_point) : CharClass::separator;
    if (kind == CharClass::word) {
      append([&] { append_utf8(word, fold_case(decoded.code_point)); });
      continue;
    }
    end_word();
    if (kind == CharClass::ideograph) {
      append_utf8(word, decoded.code_point);
      sink(context, word);  // never a stop word, never stemmed
      word.clear();
    }
  }
  end_word();
}

std::vector<std::string> Tokenizer::terms(std::string_view text) const {
  std::vector<std::string> out;
  for_each_term(text, [&](std::string_view term) { out.emplace_back(term); });
  return out;
}

std::size_t Tokenizer::count_tokens(std::string_view text) {
  std::size_t tokens = 0;
  std::size_t units = 0;  // of the current word
  const auto end_word = [&] {
    tokens += (units + 3) / 4;
    units = 0;
  };
  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      ++pos;
      if (kAsciiFold[byte] != 0) {
        ++units;
        continue;
      }
      end_word();
      if (byte != ' ' && byte != '\n' && byte != '\t' && byte != '\r' && byte != '\f' &&
          byte != '\v')
        ++tokens;
      continue;
    }
    const DecodedCodePoint decoded = decode_utf8(text, pos);
    pos += decoded.length;
    if (decoded.valid && classify(decoded.code_point) == CharClass::word) {
      units += 2;
      continue;
    }
    end_word();
    ++tokens;  // an ideograph, a symbol, or an ill-formed byte
  }
  end_word();
  return tokens;
}

}  // namespace sluice::rag
