#include "api/search_filters.hpp"

#include <array>
#include <boost/json.hpp>
#include <utility>

namespace sluice::api {
namespace json = boost::json;
namespace {

using Op = rag::MetadataCondition::Op;

constexpr std::array<std::pair<std::string_view, Op>, 7> kOps = {{{"eq", Op::eq},
                                                                  {"ne", Op::ne},
                                                                  {"gt", Op::gt},
                                                                  {"gte", Op::gte},
                                                                  {"lt", Op::lt},
                                                                  {"lte", Op::lte},
                                                                  {"in", Op::in}}};

Error invalid(const std::string& param, const std::string& why) {
  return make_error(Errc::invalid_request, "'" + param + "' " + why, param);
}

Result<std::vector<std::string>> strings(const json::object& filters, std::string_view key,
                                         const std::string& param) {
  std::vector<std::string> out;
  const json::value* value = filters.if_contains(key);
  if (!value || value->is_null()) return out;
  if (!value->is_array()) return invalid(param, "must be an array of strings");
  for (const json::value& item : value->as_array()) {
    if (!item.is_string() || item.as_string().empty())
      return invalid(param, "must be an array of non-empty strings");
    out.emplace_back(item.as_string());
  }
  return out;
}

// {"op": value, ...} when every key is an operator; anything else is a value to equal.
Status add_conditions(const std::string& key, const json::value& spec, const std::string& param,
                      std::vector<rag::MetadataCondition>& out) {
  const json::object* ops = spec.if_object();
  bool all_ops = ops && !ops->empty();
  if (ops)
    for (const auto& member : *ops)
      all_ops = all_ops && std::any_of(kOps.begin(), kOps.end(),
                                       [&](const auto& op) { return op.first == member.key(); });
  if (!all_ops) {
    out.push_back({key, Op::eq, json::serialize(spec)});
    return {};
  }
  for (const auto& member : *ops) {
    const auto op = std::find_if(kOps.begin(), kOps.end(),
                                 [&](const auto& o) { return o.first == member.key(); });
    if (op->second == Op::in && !member.value().is_array())
      return invalid(param + "." + std::string(member.key()), "must be an array");
    out.push_back({key, op->second, json::serialize(member.value())});
  }
  return {};
}

}  // namespace

Result<rag::SearchFilters> parse_search_filters(const json::value& value, std::string_view param) {
  rag::SearchFilters filters;
  if (value.is_null()) return filters;
  const std::string base(param);
  const json::object* object = value.if_object();
  if (!object) return invalid(base, "must be an object");
  for (const auto& member : *object)
    if (member.key() != "document_ids" && member.key() != "tags" && member.key() != "metadata")
      return invalid(base + "." + std::string(member.key()),
                     "is not a filter (document_ids, tags, metadata)");
  auto ids = strings(*object, "document_ids", base + ".document_ids");
  if (!ids) return ids.error();
  filters.document_ids = *std::move(ids);
  auto tags = strings(*object, "tags", base + ".tags");
  if (!tags) return tags.error();
  filters.tags = *std::move(tags);
  if (const json::value* metadata = object->if_contains("metadata");
      metadata && !metadata->is_null()) {
    if (!metadata->is_object()) return invalid(base + ".metadata", "must be an object");
    for (const auto& member : metadata->as_object()) {
      const std::string key(member.key());
      if (Status added =
              add_conditions(key, member.value(), base + ".metadata." + key, filters.metadata);
          !added)
        return added.error();
    }
  }
  return filters;
}

}  // namespace sluice::api
