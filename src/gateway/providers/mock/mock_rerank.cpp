#include "gateway/providers/mock/mock_rerank.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <iterator>
#include <numeric>
#include <set>
#include <vector>

#include "core/fnv1a.hpp"
#include "gateway/providers/mock/mock_embedding.hpp"
#include "gateway/providers/mock/mock_replies.hpp"

namespace sluice::gateway {
namespace json = boost::json;

namespace {

std::set<std::string> words_of(std::string_view text) {
  std::vector<std::string> words = mock_words(text);
  return {std::make_move_iterator(words.begin()), std::make_move_iterator(words.end())};
}

double share_found(const std::set<std::string>& wanted, std::string_view document) {
  if (wanted.empty()) return 0;
  const std::set<std::string> present = words_of(document);
  std::size_t found = 0;
  for (const std::string& word : wanted) found += present.contains(word) ? 1 : 0;
  return static_cast<double>(found) / static_cast<double>(wanted.size());
}

}  // namespace

double mock_rerank_score(std::string_view query, std::string_view document) {
  return share_found(words_of(query), document);
}

std::string mock_rerank_json(const RerankRequest& request, std::string_view model) {
  const std::size_t count = request.documents.size();
  const std::set<std::string> wanted = words_of(request.query);
  std::vector<double> scores(count);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    scores[i] = share_found(wanted, request.documents[i]);
    bytes += request.query.size() + request.documents[i].size();
  }
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&scores](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  if (request.top_n && *request.top_n < count) order.resize(*request.top_n);
  json::array results;
  for (const std::size_t i : order) {
    json::object result{{"index", i}, {"relevance_score", scores[i]}};
    if (request.return_documents) result["document"] = {{"text", request.documents[i]}};
    results.push_back(std::move(result));
  }
  char id[24];
  std::snprintf(id, sizeof id, "rerank-%016llx",
                static_cast<unsigned long long>(core::fnv1a(request.query, kMockHashBasis)));
  return json::serialize(json::object{{"id", id},
                                      {"model", model},
                                      {"results", std::move(results)},
                                      {"usage", {{"total_tokens", mock_tokens(bytes)}}}});
}

}  // namespace sluice::gateway
