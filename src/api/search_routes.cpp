#include "api/search_routes.hpp"

#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <chrono>

#include "api/json_body.hpp"
#include "api/search_filters.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr int kLoadingRetryAfterSeconds = 1;

Error invalid(std::string param, const std::string& why) {
  return make_error(Errc::invalid_request, "'" + param + "' " + why, std::move(param));
}

// The request's fields into `out`; an error names the offending one.
Status parse_search_request(const json::object& body, std::size_t max_top_k,
                            rag::SearchRequest& out) {
  const json::value* query = body.if_contains("query");
  if (!query)
    return make_error(Errc::invalid_request, "missing required parameter 'query'", "query");
  if (!query->is_string() || query->as_string().empty())
    return invalid("query", "must be a non-empty string");
  out.query = std::string(query->as_string());
  if (const json::value* top_k = body.if_contains("top_k"); top_k && !top_k->is_null()) {
    if (!(top_k->is_int64() && top_k->as_int64() >= 1) && !top_k->is_uint64())
      return invalid("top_k", "must be an integer of at least 1");
    const uint64_t asked =
        top_k->is_int64() ? static_cast<uint64_t>(top_k->as_int64()) : top_k->as_uint64();
    out.top_k = asked < max_top_k ? static_cast<std::size_t>(asked) : max_top_k;
  }
  if (const json::value* mode = body.if_contains("mode"); mode && !mode->is_null()) {
    const std::string_view m = mode->is_string() ? std::string_view(mode->as_string()) : "";
    if (m == "bm25")
      out.mode = rag::SearchMode::bm25;
    else if (m == "dense")
      out.mode = rag::SearchMode::dense;
    else if (m == "hybrid")
      out.mode = rag::SearchMode::hybrid;
    else
      return invalid("mode", "must be one of bm25, dense, hybrid");
  }
  if (const json::value* fusion = body.if_contains("fusion"); fusion && !fusion->is_null()) {
    const std::string_view f = fusion->is_string() ? std::string_view(fusion->as_string()) : "";
    if (f == "rrf")
      out.fusion = rag::FusionMethod::rrf;
    else if (f == "linear")
      out.fusion = rag::FusionMethod::linear;
    else
      return invalid("fusion", "must be rrf or linear");
  }
  if (const json::value* alpha = body.if_contains("alpha"); alpha && !alpha->is_null()) {
    const double a = alpha->is_number() ? alpha->to_number<double>() : -1;
    if (a < 0 || a > 1) return invalid("alpha", "must be a number from 0 to 1");
    out.alpha = static_cast<float>(a);
  }
  if (const json::value* filters = body.if_contains("filters")) {
    auto parsed = parse_search_filters(*filters);
    if (!parsed) return parsed.error();
    out.filters = *std::move(parsed);
  }
  return {};
}

json::value rank(int r) { return r > 0 ? json::value(r) : json::value(nullptr); }

std::string render(const rag::SearchResult& result, double took_ms) {
  json::array data;
  data.reserve(result.hits.size());
  for (const rag::SearchHit& hit : result.hits) {
    json::object item;
    item["object"] = "search.hit";
    item["chunk_id"] = hit.chunk_id;
    item["document_id"] = hit.document_id;
    if (!hit.external_id.empty()) item["id"] = hit.external_id;
    item["title"] = hit.title;
    item["heading_path"] = hit.heading_path;
    item["page"] = hit.page > 0 ? json::value(hit.page) : json::value(nullptr);
    item["ordinal"] = hit.ordinal;
    item["snippet"] = hit.snippet;
    item["score"] = hit.score;
    item["ranks"] = {{"bm25", rank(hit.lexical_rank)}, {"dense", rank(hit.dense_rank)}};
    data.emplace_back(std::move(item));
  }
  json::array modes;
  for (const std::string& mode : result.modes) modes.emplace_back(mode);
  json::object out;
  out["object"] = "list";
  out["data"] = std::move(data);
  out["modes"] = std::move(modes);
  out["collection_id"] = result.collection_id;
  out["index_version"] = result.index_version;
  out["took_ms"] = took_ms;
  return json::serialize(out);
}

awaitable<void> search(rag::Retriever& retriever, std::size_t max_top_k, http::Exchange& exchange) {
  const auto started = std::chrono::steady_clock::now();
  ParsedBody parsed;
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  rag::SearchRequest request;
  const auto encoded = boost::urls::make_pct_string_view(exchange.request.param("collection"));
  request.collection = encoded ? encoded->decode() : std::string();
  if (Status valid = parse_search_request(parsed.object, max_top_k, request); !valid) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  auto result = co_await retriever.search(request);
  if (!result) {
    exchange.response.set_error(result.error());
    if (result.error().code_detail == "collection_loading")
      exchange.response.add_header("retry-after", std::to_string(kLoadingRetryAfterSeconds));
    co_return;
  }
  const double took_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  exchange.response.set_json(200, render(*result, took_ms));
}

}  // namespace

void register_search_routes(http::Router& router, rag::Retriever& retriever,
                            std::size_t max_top_k) {
  router.add("POST", "/v1/collections/{collection}/search",
             [&retriever, max_top_k](http::Exchange& exchange) {
               return search(retriever, max_top_k, exchange);
             });
}

}  // namespace sluice::api
