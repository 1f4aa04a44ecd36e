#include "rag/prompt_template.hpp"

namespace sluice::rag {
namespace {

constexpr std::string_view kAnswerInstructions =
    "You answer questions using only the numbered passages below. Cite every statement with the "
    "number of the passage it comes from, in square brackets, like [1] or [2][3]. If the "
    "passages do not contain the answer, say that they do not, and do not guess. Answer in the "
    "language of the question.\n\nPassages:\n\n";

constexpr std::string_view kCondenseInstructions =
    "Rewrite the user's last question as one standalone search query that needs no earlier "
    "message to be understood. Reply with the query only.";

}  // namespace

std::string passage_source(const SearchHit& hit) {
  std::string source = hit.title;
  if (!hit.heading_path.empty()) {
    if (!source.empty()) source += " > ";
    source += hit.heading_path;
  }
  if (hit.page > 0) {
    if (!source.empty()) source += ' ';
    source += "(p. " + std::to_string(hit.page) + ")";
  }
  return source;
}

std::string numbered_passages(const std::vector<SearchHit>& hits) {
  std::string out;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (i > 0) out += "\n\n";
    out += '[' + std::to_string(i + 1) + "] " + passage_source(hits[i]) + '\n';
    out += hits[i].text;
  }
  return out;
}

std::vector<PromptMessage> answer_prompt(std::string_view question,
                                         const std::vector<SearchHit>& hits,
                                         const std::vector<Turn>& history) {
  std::vector<PromptMessage> messages;
  messages.push_back({"system", std::string(kAnswerInstructions) + numbered_passages(hits)});
  for (const Turn& turn : history) messages.push_back({turn.role, turn.content});
  messages.push_back({"user", std::string(question)});
  return messages;
}

std::vector<PromptMessage> condensation_prompt(std::string_view question,
                                               const std::vector<Turn>& history) {
  std::string conversation;
  for (const Turn& turn : history) conversation += turn.role + ": " + turn.content + '\n';
  conversation += "user: ";
  conversation += question;
  return {{"system", std::string(kCondenseInstructions)}, {"user", std::move(conversation)}};
}

}  // namespace sluice::rag
