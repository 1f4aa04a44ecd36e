#pragma once
// The versioned prompt an answer is asked with. Changing the wording changes kTemplateVersion:
// the version is part of every response, access log line and cache key, so answers produced by
// different prompts are never mixed up.

#include <string>
#include <string_view>
#include <vector>

#include "rag/retriever.hpp"

namespace sluice::rag {

inline constexpr std::string_view kTemplateVersion = "rag-v1";

// One earlier message of a conversation, oldest first.
struct Turn {
  std::string role;  // user | assistant
  std::string content;
};

// One chat message to send to the answering model.
struct PromptMessage {
  std::string role;  // system | user | assistant
  std::string content;
};

// "title > heading path (p. N)": where a passage comes from, as the prompt and the CLI show it.
std::string passage_source(const SearchHit& hit);

// The passages numbered from 1 in `hits` order: "[n] source\ntext", separated by blank lines.
std::string numbered_passages(const std::vector<SearchHit>& hits);

// The messages that ask for a grounded answer: a system message with the instructions (cite as
// [n], say so when the passages do not contain the answer) and the numbered passages, the
// conversation's earlier turns, then the question.
std::vector<PromptMessage> answer_prompt(std::string_view question,
                                         const std::vector<SearchHit>& hits,
                                         const std::vector<Turn>& history);

// The messages that ask a model to rewrite a follow-up question as a standalone search query.
std::vector<PromptMessage> condensation_prompt(std::string_view question,
                                               const std::vector<Turn>& history);

}  // namespace sluice::rag
