#pragma once
// What a search asks and returns: the contract between the retrieval layer (indexes, fusion,
// filters) and its users (the search route, the answerer). Tests of the users fake Retriever.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"
#include "store/tenant_scope.hpp"

namespace sluice::rag {

enum class SearchMode { bm25, dense, hybrid };
enum class FusionMethod { rrf, linear };

// One condition on a document's JSON metadata: `key` op `value` (value as JSON text).
struct MetadataCondition {
  enum class Op { eq, ne, gt, gte, lt, lte, in };
  std::string key;
  Op op = Op::eq;
  std::string value_json;
};

// All given conditions must hold (AND); an empty list passes everything.
struct SearchFilters {
  std::vector<std::string> document_ids;  // the document's id or its client-given id
  std::vector<std::string> tags;          // the document has every one of them
  std::vector<MetadataCondition> metadata;
  bool empty() const { return document_ids.empty() && tags.empty() && metadata.empty(); }
};

struct SearchRequest {
  std::string collection;  // id or name
  // Whose collections it may search: the caller's.
  store::TenantScope scope = store::TenantScope::everyone();
  std::string query;
  std::size_t top_k = 10;
  // nullopt: hybrid when the collection has an embedding model, else bm25.
  std::optional<SearchMode> mode;
  FusionMethod fusion = FusionMethod::rrf;
  float alpha = 0.5f;  // linear fusion: weight of the dense score
  SearchFilters filters;
};

struct SearchHit {
  int64_t chunk_id = 0;
  std::string document_id;
  std::string external_id;  // the client-given id, when there is one
  std::string title;
  std::string heading_path;
  int page = 0;  // 0 = the format has no pages
  int ordinal = 0;
  std::string text;     // the whole chunk
  std::string snippet;  // the part of the text that best matches the query, for display
  float score = 0;
  int lexical_rank = 0;  // 1-based; 0 = not among the BM25 candidates
  int dense_rank = 0;    // 1-based; 0 = not among the dense candidates (or dense did not run)
};

struct SearchResult {
  std::vector<SearchHit> hits;     // best first
  std::vector<std::string> modes;  // what ran: "bm25", "dense"
  std::string collection_id;
  int64_t index_version = 0;  // the collection's change sequence the indexes reflect
  bool degraded = false;      // a cheaper search ran (degraded mode): not an answer to cache
};

class Retriever {
 public:
  virtual ~Retriever() = default;
  // not_found for an unknown collection; unavailable (code "collection_loading", with a retry
  // hint) while its indexes load; invalid_request for a mode the collection cannot run.
  virtual boost::asio::awaitable<Result<SearchResult>> search(const SearchRequest& request) = 0;
  // The collection's change sequence its indexes reflect (cache keys include it); not_found or
  // unavailable as for search.
  virtual Result<int64_t> index_version(const std::string& collection) = 0;
  // The collection as the indexes know it, without a store call; not_found or unavailable as
  // for search (not_found also when the indexes have not seen it yet: ask the store then).
  virtual Result<store::Collection> collection(const std::string& collection) {
    return make_error(Errc::not_found, "collection '" + collection + "' is not indexed here");
  }
};

}  // namespace sluice::rag
