#include "rag/extractive_answer.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/strings.hpp"

namespace sluice::rag {
namespace {

struct RankedSentence {
  std::string_view text;
  std::size_t passage = 0;   // 0-based
  std::size_t position = 0;  // within its passage
  std::size_t matches = 0;
};

std::size_t distinct_matches(std::string_view sentence,
                             const std::unordered_set<std::string>& question_terms,
                             const Tokenizer& tokenizer) {
  std::unordered_set<std::string> seen;
  tokenizer.for_each_term(sentence, [&](std::string_view term) {
    std::string owned(term);
    if (question_terms.count(owned)) seen.insert(std::move(owned));
  });
  return seen.size();
}

}  // namespace

std::vector<std::string_view> split_sentences(std::string_view text) {
  std::vector<std::string_view> out;
  auto emit = [&out](std::string_view piece) {
    piece = core::trim(piece);
    if (!piece.empty()) out.push_back(piece);
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool line_break = c == '\n';
    const bool sentence_end = (c == '.' || c == '!' || c == '?') &&
                              (i + 1 == text.size() || core::is_ascii_space(text[i + 1]));
    if (line_break || sentence_end) {
      emit(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  emit(text.substr(start));
  return out;
}

std::vector<std::string> extractive_sentences(std::string_view question,
                                              const std::vector<SearchHit>& hits,
                                              const Tokenizer& tokenizer,
                                              std::size_t max_sentences) {
  if (hits.empty()) return {std::string(kNothingFoundAnswer)};
  const std::vector<std::string> terms = tokenizer.terms(question);
  const std::unordered_set<std::string> question_terms(terms.begin(), terms.end());

  std::vector<RankedSentence> ranked;
  for (std::size_t p = 0; p < hits.size(); ++p) {
    const auto sentences = split_sentences(hits[p].text);
    for (std::size_t s = 0; s < sentences.size(); ++s) {
      const std::size_t matches = distinct_matches(sentences[s], question_terms, tokenizer);
      if (matches > 0) ranked.push_back({sentences[s], p, s, matches});
    }
  }
  if (ranked.empty()) {
    const auto sentences = split_sentences(hits.front().text);
    if (sentences.empty()) return {std::string(kNothingFoundAnswer)};
    ranked.push_back({sentences.front(), 0, 0, 0});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.matches != b.matches) return a.matches > b.matches;
    if (a.passage != b.passage) return a.passage < b.passage;
    return a.position < b.position;
  });
  std::vector<std::string> chosen;
  std::unordered_set<std::string_view> used;  // the same sentence may repeat across chunks
  const std::size_t best = ranked.front().matches;
  for (const RankedSentence& sentence : ranked) {
    // A sentence sharing half the best one's terms or fewer is about something else.
    if (chosen.size() == max_sentences || (best > 1 && 2 * sentence.matches <= best)) break;
    if (!used.insert(sentence.text).second) continue;
    chosen.push_back(std::string(sentence.text) + " [" + std::to_string(sentence.passage + 1) +
                     ']');
  }
  return chosen;
}

std::string extractive_answer(std::string_view question, const std::vector<SearchHit>& hits,
                              const Tokenizer& tokenizer, std::size_t max_sentences) {
  std::string answer;
  for (const std::string& sentence :
       extractive_sentences(question, hits, tokenizer, max_sentences)) {
    if (!answer.empty()) answer += ' ';
    answer += sentence;
  }
  return answer;
}

}  // namespace sluice::rag
