#include "api/search_routes.hpp"

#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <chrono>

#include "api/json_body.hpp"
#include "api/search_filters.hpp"
#include "api/tenant_access.hpp"
#include "core/json_text.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr int kLoadingRetryAfterSeconds = 1;

Error invalid(std::string param, const std::string& why) {
  // The message first: arguments are evaluated in no set order, and param is moved.
  std::string message = "'" + param + "' " + why;
  return make_error(Errc::invalid_request, std::move(message), std::move(param));
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

void append_rank(std::string& out, int rank) {
  if (rank > 0)
    core::append_json_number(out, rank);
  else
    out += "null";
}

// The response written straight into its text: a fixed shape, on the search hot path, where
// building a json::object per hit cost more than the ranking.
std::string render(const rag::SearchResult& result, double took_ms) {
  std::string out;
  out.reserve(512 + result.hits.size() * 512);
  out += R"({"object":"list","data":[)";
  for (const rag::SearchHit& hit : result.hits) {
    if (&hit != &result.hits.front()) out += ',';
    out += R"({"object":"search.hit","chunk_id":)";
    core::append_json_number(out, hit.chunk_id);
    out += R"(,"document_id":)";
    core::append_json_string(out, hit.document_id);
    if (!hit.external_id.empty()) {
      out += R"(,"id":)";
      core::append_json_string(out, hit.external_id);
    }
    out += R"(,"title":)";
    core::append_json_string(out, hit.title);
    out += R"(,"heading_path":)";
    core::append_json_string(out, hit.heading_path);
    out += R"(,"page":)";
    append_rank(out, hit.page);
    out += R"(,"ordinal":)";
    core::append_json_number(out, hit.ordinal);
    out += R"(,"snippet":)";
    core::append_json_string(out, hit.snippet);
    out += R"(,"score":)";
    core::append_json_number(out, hit.score);
    out += R"(,"ranks":{"bm25":)";
    append_rank(out, hit.lexical_rank);
    out += R"(,"dense":)";
    append_rank(out, hit.dense_rank);
    out += "}}";
  }
  out += R"(],"modes":[)";
  for (const std::string& mode : result.modes) {
    if (&mode != &result.modes.front()) out += ',';
    core::append_json_string(out, mode);
  }
  out += R"(],"collection_id":)";
  core::append_json_string(out, result.collection_id);
  out += R"(,"index_version":)";
  core::append_json_number(out, result.index_version);
  out += R"(,"took_ms":)";
  core::append_json_number(out, took_ms);
  out += '}';
  return out;
}

awaitable<void> search(rag::Retriever& retriever, std::size_t max_top_k, http::Exchange& exchange) {
  const auto started = std::chrono::steady_clock::now();
  ParsedBody parsed;
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  rag::SearchRequest request;
  const auto encoded = boost::urls::make_pct_string_view(exchange.request.param("collection"));
  request.collection = encoded ? encoded->decode() : std::string();
  request.scope = scope_of(exchange);
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
