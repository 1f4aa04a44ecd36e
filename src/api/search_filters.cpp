#include "api/search_filters.hpp"

#include <boost/json.hpp>

namespace sluice::api {
namespace json = boost::json;
using Op = rag::MetadataCondition::Op;

namespace {

std::optional<Op> op_named(std::string_view name) {
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"eq", Op::eq}, {"ne", Op::ne},   {"gt", Op::gt}, {"gte", Op::gte},
      {"lt", Op::lt}, {"lte", Op::lte}, {"in", Op::in}};
  for (const auto& [n, op] : kOps)
    if (n == name) return op;
  return std::nullopt;
}

Error bad(std::string_view param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::string(param));
}

// A list of strings, or an error naming `param`.
Result<std::vector<std::string>> strings(const json::value* value, std::string param) {
  std::vector<std::string> out;
  if (!value || value->is_null()) return out;
  if (!value->is_array()) return bad(param, "'" + param + "' must be an array of strings");
  for (const json::value& v : value->get_array()) {
    if (!v.is_string()) return bad(param, "'" + param + "' must be an array of strings");
    out.emplace_back(v.get_string());
  }
  return out;
}

}  // namespace

Result<rag::SearchFilters> parse_search_filters(const json::value& value, std::string_view param) {
  rag::SearchFilters filters;
  if (value.is_null()) return filters;
  const std::string prefix(param);
  if (!value.is_object()) return bad(param, "'" + prefix + "' must be an object");
  const json::object& object = value.get_object();
  for (const auto& member : object) {
    const std::string_view key = member.key();
    if (key != "document_ids" && key != "tags" && key != "metadata")
      return bad(prefix + "." + std::string(key),
                 "unknown filter '" + std::string(key) + "' (document_ids, tags, metadata)");
  }
  auto ids = strings(object.if_contains("document_ids"), prefix + ".document_ids");
  if (!ids) return ids.error();
  filters.document_ids = std::move(*ids);
  auto tags = strings(object.if_contains("tags"), prefix + ".tags");
  if (!tags) return tags.error();
  filters.tags = std::move(*tags);
  const json::value* metadata = object.if_contains("metadata");
  if (!metadata || metadata->is_null()) return filters;
  const std::string metadata_param = prefix + ".metadata";
  if (!metadata->is_object())
    return bad(metadata_param, "'" + metadata_param + "' must be an object");
  for (const auto& [key, condition] : metadata->get_object()) {
    const std::string path = metadata_param + "." + std::string(key);
    if (!condition.is_object()) {  // a plain value: equality
      filters.metadata.push_back({std::string(key), Op::eq, json::serialize(condition)});
      continue;
    }
    for (const auto& [op_name, operand] : condition.get_object()) {
      const auto op = op_named(op_name);
      if (!op)
        return bad(
            path, "unknown operator '" + std::string(op_name) + "' (eq, ne, gt, gte, lt, lte, in)");
      if (*op == Op::in && !operand.is_array()) return bad(path, "'in' takes an array of values");
      filters.metadata.push_back({std::string(key), *op, json::serialize(operand)});
    }
  }
  return filters;
}

}  // namespace sluice::api
