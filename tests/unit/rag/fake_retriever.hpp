#pragma once
// A Retriever for tests of its users: answers every search with the hits it was given and
// records what it was asked.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rag/retriever.hpp"

namespace sluice::rag::testing {

class FakeRetriever final : public Retriever {
 public:
  boost::asio::awaitable<Result<SearchResult>> search(const SearchRequest& request) override {
    requests.push_back(request);
    if (error) co_return *error;
    SearchResult result;
    result.hits = hits;
    if (result.hits.size() > request.top_k) result.hits.resize(request.top_k);
    result.modes = {"bm25"};
    result.collection_id = request.collection;
    result.index_version = version;
    result.degraded = degraded;
    co_return result;
  }
  Result<int64_t> index_version(const std::string&) override {
    if (error) return *error;
    return version;
  }
  Result<store::Collection> collection(const std::string& name) override {
    if (error) return *error;
    if (indexed && (name == indexed->name || name == indexed->id)) return *indexed;
    return Retriever::collection(name);
  }

  std::vector<SearchHit> hits;
  int64_t version = 1;
  bool degraded = false;  // answers as a search under degraded mode
  std::optional<Error> error;
  std::optional<store::Collection> indexed;  // the collection the indexes know, if any
  std::vector<SearchRequest> requests;
};

inline SearchHit hit(int64_t chunk_id, std::string title, std::string heading, int page,
                     std::string text) {
  SearchHit h;
  h.chunk_id = chunk_id;
  h.document_id = "doc_" + std::to_string(chunk_id);
  h.external_id = "client-" + std::to_string(chunk_id);
  h.title = std::move(title);
  h.heading_path = std::move(heading);
  h.page = page;
  h.snippet = text.substr(0, 40);
  h.text = std::move(text);
  h.score = 1.0f / static_cast<float>(chunk_id);
  return h;
}

}  // namespace sluice::rag::testing
