// Any bytes through the tokenizer: terms are valid UTF-8, not empty, within the length bound;
// without stemming a term tokenizes to itself (folding is idempotent and terms hold only word
// characters); for_each_term and terms agree; the token count is bounded by the size and
// additive over whitespace.

#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "rag/tokenizer.hpp"
#include "rag/utf8.hpp"

namespace {

using sluice::rag::Tokenizer;

const Tokenizer& tokenizer(const char* language) {
  static const Tokenizer english = Tokenizer::create("english").value();
  static const Tokenizer german = Tokenizer::create("german").value();
  static const Tokenizer none = Tokenizer::create("none").value();
  const std::string_view name = language;
  return name == "english" ? english : name == "german" ? german : none;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = sluice::fuzz::text(data, size);
  for (const char* language : {"english", "german", "none"}) {
    const Tokenizer& current = tokenizer(language);
    const std::vector<std::string> terms = current.terms(text);
    std::size_t index = 0;
    current.for_each_term(text, [&](std::string_view term) {
      FUZZ_CHECK(index < terms.size() && terms[index] == term);
      ++index;
    });
    FUZZ_CHECK(index == terms.size());
    for (const std::string& term : terms) {
      FUZZ_CHECK(!term.empty());
      FUZZ_CHECK(sluice::rag::is_valid_utf8(term));
      FUZZ_CHECK(term.size() <= 4 * Tokenizer::kMaxTermBytes);  // a stem barely differs
      if (std::string_view(language) == "none")
        FUZZ_CHECK(current.terms(term) == std::vector<std::string>{term});
    }
  }
  const std::size_t tokens = Tokenizer::count_tokens(text);
  FUZZ_CHECK(tokens <= text.size());
  const std::string twice = std::string(text) + " " + std::string(text);
  FUZZ_CHECK(Tokenizer::count_tokens(twice) == 2 * tokens);
  return 0;
}
