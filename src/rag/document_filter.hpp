#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "rag/collection_index.hpp"
#include "rag/retriever.hpp"

namespace sluice::rag {

// SearchFilters compiled once per search and evaluated against the catalog's per-document
// metadata. Metadata conditions: eq/ne/in compare JSON values (numbers by value, so 2 == 2.0);
// gt/gte/lt/lte compare two numbers or two strings (ISO dates order as strings) and fail on
// anything else. A missing key fails every condition but ne. Keys with dots ("a.b") reach into
// nested objects when no top-level key has that exact name.
class DocumentFilter {
 public:
  // invalid_request (param "filters.metadata.<key>") when a condition's value is not JSON or
  // an `in` is not given an array.
  static Result<DocumentFilter> compile(const SearchFilters& filters);

  bool empty() const { return ids_.empty() && tags_.empty() && conditions_.empty(); }
  bool matches(const DocumentInfo& document) const;

 private:
  struct Condition {
    std::string key;
    MetadataCondition::Op op;
    boost::json::value value;
  };
  static bool holds(const Condition& condition, const boost::json::object& metadata);

  std::unordered_set<std::string> ids_;
  std::vector<std::string> tags_;
  std::vector<Condition> conditions_;
};

}  // namespace sluice::rag
