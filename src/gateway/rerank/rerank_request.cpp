#include "gateway/rerank/rerank_request.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace sluice::gateway {
namespace json = boost::json;

namespace {

Error invalid(std::string param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param), "invalid_value");
}

Error missing(std::string param) {
  // The message first: arguments are evaluated in no set order, and `param` is moved below.
  std::string message = "Missing required parameter: '" + param + "'.";
  return make_error(Errc::invalid_request, std::move(message), std::move(param),
                    "missing_required_parameter");
}

// A required non-empty string member.
Result<std::string> required_text(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (!value || value->is_null()) return missing(std::string(key));
  if (!value->is_string() || value->get_string().empty())
    return invalid(std::string(key),
                   "Invalid '" + std::string(key) + "': expected a non-empty " + "string.");
  return std::string(value->get_string());
}

Result<std::vector<std::string>> documents_of(const json::object& body, std::size_t max_documents,
                                              std::string_view max_documents_key) {
  const json::value* value = body.if_contains("documents");
  if (!value || value->is_null()) return missing("documents");
  const json::array* list = value->if_array();
  if (!list) return invalid("documents", "Invalid 'documents': expected an array.");
  if (list->empty())
    return invalid("documents", "Invalid 'documents': the array is empty; give at least one.");
  if (list->size() > max_documents)
    return invalid("documents",
                   "Too many documents: " + std::to_string(list->size()) + " given, at most " +
                       std::to_string(max_documents) + " are ranked in one request" +
                       (max_documents_key.empty()
                            ? std::string(".")
                            : " (" + std::string(max_documents_key) + " raises the bound)."));
  std::vector<std::string> documents;
  documents.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json::value& item = (*list)[i];
    const std::string param = "documents[" + std::to_string(i) + "]";
    if (item.is_string()) {
      documents.emplace_back(item.get_string());
      continue;
    }
    const json::object* object = item.if_object();
    const json::value* text = object ? object->if_contains("text") : nullptr;
    if (!text || !text->is_string())
      return invalid(param, "Invalid '" + param + "': expected a string or an object with a " +
                                "string 'text'.");
    documents.emplace_back(text->get_string());
  }
  return documents;
}

}  // namespace

Result<RerankRequest> parse_rerank_request(const json::object& body, std::size_t max_documents,
                                           std::string_view max_documents_key) {
  RerankRequest request;
  auto model = required_text(body, "model");
  if (!model) return model.error();
  request.model = std::move(*model);
  auto query = required_text(body, "query");
  if (!query) return query.error();
  request.query = std::move(*query);
  auto documents = documents_of(body, max_documents, max_documents_key);
  if (!documents) return documents.error();
  request.documents = std::move(*documents);
  if (const json::value* top_n = body.if_contains("top_n"); top_n && !top_n->is_null()) {
    // JSON numbers: 3 and 3.0 are the same count; 3.5, 0 and -1 are none.
    const bool number = top_n->is_number();
    const double value = number ? top_n->to_number<double>() : 0;
    if (!number || value < 1 || value != std::floor(value))
      return invalid("top_n", "Invalid 'top_n': expected a whole number of at least 1, got " +
                                  json::serialize(*top_n) + ".");
    request.top_n = value >= static_cast<double>(request.documents.size())
                        ? request.documents.size()
                        : static_cast<std::size_t>(value);
  }
  if (const json::value* flag = body.if_contains("return_documents"); flag && !flag->is_null()) {
    if (!flag->is_bool())
      return invalid("return_documents", "Invalid 'return_documents': expected a boolean.");
    request.return_documents = flag->get_bool();
  }
  return request;
}

json::object rerank_upstream_body(const RerankRequest& request) {
  json::array documents;
  documents.reserve(request.documents.size());
  for (const std::string& document : request.documents) documents.emplace_back(document);
  json::object body{
      {"model", request.model}, {"query", request.query}, {"documents", std::move(documents)}};
  if (request.top_n) body["top_n"] = *request.top_n;
  return body;
}

}  // namespace sluice::gateway
