#pragma once
// Turning a follow-up question ("and in 2023?") into a query retrieval can answer alone.

#include <string>
#include <string_view>
#include <vector>

#include "rag/prompt_template.hpp"

namespace sluice::rag {

// Without a language model: the user questions of `history` (oldest first) and `question`,
// joined by spaces. With no earlier question, `question` itself.
std::string concatenated_query(const std::vector<Turn>& history, std::string_view question);

// The last `turns` turns (a user message and the answer to it) of `history`, oldest first.
std::vector<Turn> last_turns(std::vector<Turn> history, int turns);

}  // namespace sluice::rag
