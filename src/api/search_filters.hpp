#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "core/result.hpp"
#include "rag/retriever.hpp"

namespace sluice::api {

// A request's `filters`: {"document_ids": [..], "tags": [..], "metadata": {"key": value,
// "key": {"gte": 1, "lt": 9}, "key": {"in": [..]}}} (ops eq, ne, gt, gte, lt, lte, in). Null or
// absent members filter nothing; anything else malformed is a 400 naming `param`.
Result<rag::SearchFilters> parse_search_filters(const boost::json::value& value,
                                                std::string_view param = "filters");

}  // namespace sluice::api
