#include "rag/condense.hpp"

namespace sluice::rag {

std::string concatenated_query(const std::vector<Turn>& history, std::string_view question) {
  std::string query;
  for (const Turn& turn : history) {
    if (turn.role != "user") continue;
    query += turn.content;
    query += ' ';
  }
  query += question;
  return query;
}

std::vector<Turn> last_turns(std::vector<Turn> history, int turns) {
  const std::size_t keep = turns <= 0 ? 0 : static_cast<std::size_t>(turns) * 2;
  if (history.size() > keep)
    history.erase(history.begin(), history.end() - static_cast<std::ptrdiff_t>(keep));
  // A history cut in the middle of a turn starts with the answer: drop it, it answers nothing.
  if (!history.empty() && history.front().role != "user") history.erase(history.begin());
  return history;
}

}  // namespace sluice::rag
