#include "gateway/rerank/rerank_answer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <optional>

#include "core/json_read.hpp"
#include "gateway/token_count.hpp"
#include "gateway/token_estimate.hpp"

namespace sluice::gateway {
namespace json = boost::json;

namespace {

Error malformed(std::string why) { return make_error(Errc::bad_gateway, std::move(why)); }

// The tokens a rerank counted: total_tokens (Jina, vLLM), else prompt_tokens; 0 when neither.
long long reported_tokens(const json::object& answer) {
  const json::value* usage = answer.if_contains("usage");
  const json::object* object = usage ? usage->if_object() : nullptr;
  if (!object) return 0;
  for (std::string_view key : {"total_tokens", "prompt_tokens"})
    if (const json::value* v = object->if_contains(key))
      if (const long long tokens = token_count(*v); tokens > 0) return tokens;
  return 0;
}

// A JSON number that is a whole index below `count` (2 and 2.0 alike); nullopt otherwise.
std::optional<std::size_t> document_index(const json::value& value, std::size_t count) {
  double number = -1;
  if (value.is_int64())
    number = static_cast<double>(value.get_int64());
  else if (value.is_uint64())
    number = static_cast<double>(value.get_uint64());
  else if (value.is_double())
    number = value.get_double();
  if (!(number >= 0) || number != std::floor(number) || number >= static_cast<double>(count))
    return std::nullopt;
  return static_cast<std::size_t>(number);
}

// A cross-encoder reads the query with each document.
long long estimated_tokens(const RerankRequest& request) {
  std::size_t bytes = 0;
  for (const std::string& document : request.documents)
    bytes += request.query.size() + document.size();
  return estimate_tokens_from_bytes(bytes);
}

}  // namespace

Result<RerankAnswer> parse_rerank_answer(std::string_view body, const RerankRequest& request) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  if (!object) return malformed("not a JSON object");
  const json::value* results = object->if_contains("results");
  if (!results || !results->is_array()) return malformed("no 'results' array");
  const std::size_t count = request.documents.size();
  RerankAnswer answer;
  answer.id = std::string(core::string_field(*object, "id"));
  std::vector<bool> seen(count, false);
  for (const json::value& value : results->get_array()) {
    const json::object* result = value.if_object();
    const json::value* index = result ? result->if_contains("index") : nullptr;
    const json::value* score = result ? result->if_contains("relevance_score") : nullptr;
    if (!score || !score->is_number()) return malformed("a result has no numeric relevance_score");
    const std::optional<std::size_t> position =
        index ? document_index(*index, count) : std::nullopt;
    if (!position)
      return malformed("a result's index is not one of the " + std::to_string(count) +
                       " documents");
    if (seen[*position])
      return malformed("document " + std::to_string(*position) + " ranked twice");
    seen[*position] = true;
    answer.results.push_back({*position, score->to_number<double>()});
  }
  std::stable_sort(answer.results.begin(), answer.results.end(),
                   [](const RerankResult& a, const RerankResult& b) {
                     if (a.relevance_score != b.relevance_score)
                       return a.relevance_score > b.relevance_score;
                     return a.index < b.index;
                   });
  if (request.top_n && answer.results.size() > *request.top_n)
    answer.results.resize(*request.top_n);
  answer.usage.reported = true;
  answer.usage.prompt_tokens = reported_tokens(*object);
  if (answer.usage.prompt_tokens == 0) {
    answer.usage.prompt_tokens = estimated_tokens(request);
    answer.usage.estimated = true;
  }
  return answer;
}

std::string rerank_response_json(const RerankAnswer& answer, const RerankRequest& request,
                                 std::string_view model, std::string_view id) {
  json::array results;
  results.reserve(answer.results.size());
  for (const RerankResult& r : answer.results) {
    json::object result{{"index", r.index}, {"relevance_score", r.relevance_score}};
    if (request.return_documents && r.index < request.documents.size())
      result["document"] = {{"text", request.documents[r.index]}};
    results.push_back(std::move(result));
  }
  return json::serialize(json::object{{"id", answer.id.empty() ? id : std::string_view(answer.id)},
                                      {"model", model},
                                      {"results", std::move(results)},
                                      {"usage", {{"total_tokens", answer.usage.prompt_tokens}}}});
}

}  // namespace sluice::gateway
