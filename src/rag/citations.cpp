#include "rag/citations.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace sluice::rag {
namespace json = boost::json;

std::vector<Citation> citations_for(const std::vector<SearchHit>& hits) {
  std::vector<Citation> out;
  out.reserve(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const SearchHit& hit = hits[i];
    out.push_back(Citation{static_cast<int>(i + 1), hit.document_id, hit.external_id, hit.chunk_id,
                           hit.title, hit.heading_path, hit.page, hit.snippet, hit.score});
  }
  return out;
}

std::vector<int> cited_indices(std::string_view answer, std::size_t passages) {
  std::vector<int> cited;
  std::size_t pos = 0;
  while ((pos = answer.find('[', pos)) != std::string_view::npos) {
    const std::size_t close = answer.find(']', pos);
    if (close == std::string_view::npos) break;
    // Inside the brackets: numbers separated by commas and spaces, nothing else.
    std::vector<int> numbers;
    long value = -1;
    bool well_formed = close > pos + 1;
    for (std::size_t i = pos + 1; i < close && well_formed; ++i) {
      const char c = answer[i];
      if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value) * 10 + (c - '0');
        if (value > 100000) well_formed = false;
      } else if (c == ',' || c == ' ') {
        if (value >= 0) numbers.push_back(static_cast<int>(value));
        value = -1;
      } else {
        well_formed = false;
      }
    }
    if (well_formed && value >= 0) numbers.push_back(static_cast<int>(value));
    if (well_formed)
      for (int n : numbers)
        if (n >= 1 && static_cast<std::size_t>(n) <= passages) cited.push_back(n);
    pos = close + 1;
  }
  std::sort(cited.begin(), cited.end());
  cited.erase(std::unique(cited.begin(), cited.end()), cited.end());
  return cited;
}

std::vector<Citation> keep_cited(const std::vector<Citation>& all, std::string_view answer) {
  const std::vector<int> cited = cited_indices(answer, all.size());
  if (cited.empty()) return all;
  std::vector<Citation> kept;
  for (int n : cited) kept.push_back(all[static_cast<std::size_t>(n - 1)]);
  return kept;
}

json::array citations_json(const std::vector<Citation>& citations) {
  json::array out;
  out.reserve(citations.size());
  for (const Citation& c : citations) {
    out.push_back(json::object{{"index", c.index},
                               {"document_id", c.document_id},
                               {"id", c.id},
                               {"chunk_id", c.chunk_id},
                               {"title", c.title},
                               {"heading_path", c.heading_path},
                               {"page", c.page > 0 ? json::value(c.page) : json::value()},
                               {"snippet", c.snippet},
                               {"score", c.score}});
  }
  return out;
}

}  // namespace sluice::rag
