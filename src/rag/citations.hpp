#pragma once
// Citations: the passages an answer was built from, numbered as in its prompt ([1] is the first
// passage), and the subset the answer actually cites.

#include <boost/json/array.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rag/retriever.hpp"

namespace sluice::rag {

struct Citation {
  int index = 0;  // the [n] of the prompt and the answer
  std::string document_id;
  std::string id;  // the client-given document id, empty when none
  int64_t chunk_id = 0;
  std::string title;
  std::string heading_path;
  int page = 0;  // 0 = the format has no pages
  std::string snippet;
  float score = 0;
};

// One citation per hit, numbered from 1 in order.
std::vector<Citation> citations_for(const std::vector<SearchHit>& hits);

// The passage numbers `answer` cites as [n] (also "[1, 2]" and "[1][2]"), each once, ascending,
// only those in 1..passages.
std::vector<int> cited_indices(std::string_view answer, std::size_t passages);

// The citations `answer` cites, keeping their numbers; all of them when it cites none (a model
// that ignored the instruction still used the passages it was given).
std::vector<Citation> keep_cited(const std::vector<Citation>& all, std::string_view answer);

// {index, document_id, id, chunk_id, title, heading_path, page, snippet, score} per citation;
// page is null for formats without pages (as in search hits).
boost::json::array citations_json(const std::vector<Citation>& citations);

}  // namespace sluice::rag
