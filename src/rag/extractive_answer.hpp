#pragma once
// An answer without a language model: the passages' sentences most relevant to the question,
// each followed by the [n] of its passage. What it says is quoted, never generated.

#include <string>
#include <string_view>
#include <vector>

#include "rag/retriever.hpp"
#include "rag/tokenizer.hpp"

namespace sluice::rag {

// The answer given when retrieval found no passage.
inline constexpr std::string_view kNothingFoundAnswer =
    "No relevant passages were found in the collection for this question.";

// Up to `max_sentences` sentences of `hits`, ranked by how many distinct terms of `question`
// (as `tokenizer` sees them) they contain, ties going to the better passage and then the
// earlier sentence, each once, leaving out sentences with at most half the best one's terms;
// each followed by " [n]" (n = its passage's 1-based position).
// When no sentence shares a term with the question, the first sentence of the best passage.
// Empty `hits` give {kNothingFoundAnswer}. In rank order: a stream sends them one by one.
std::vector<std::string> extractive_sentences(std::string_view question,
                                              const std::vector<SearchHit>& hits,
                                              const Tokenizer& tokenizer,
                                              std::size_t max_sentences = 3);

// The sentences above joined by spaces.
std::string extractive_answer(std::string_view question, const std::vector<SearchHit>& hits,
                              const Tokenizer& tokenizer, std::size_t max_sentences = 3);

// The sentences of `text`: cut after '.', '!' or '?' followed by whitespace, and at line
// breaks; trimmed, empty ones left out.
std::vector<std::string_view> split_sentences(std::string_view text);

}  // namespace sluice::rag
