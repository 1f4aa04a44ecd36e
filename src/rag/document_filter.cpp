#include "rag/document_filter.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <optional>

namespace sluice::rag {
namespace {

using Op = MetadataCondition::Op;

const boost::json::value* lookup(const boost::json::object& metadata, const std::string& key) {
  if (const auto* value = metadata.if_contains(key)) return value;
  const boost::json::object* object = &metadata;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = key.find('.', start);
    const auto* value = object->if_contains(std::string_view(key).substr(start, dot - start));
    if (!value || dot == std::string::npos) return value;
    object = value->if_object();
    if (!object) return nullptr;
    start = dot + 1;
  }
}

bool equal(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  return a == b;
}

// <0, 0, >0 for two numbers or two strings; nullopt when they do not order.
std::optional<int> order(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.to_number<double>(), y = b.to_number<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) return a.get_string().compare(b.get_string());
  return std::nullopt;
}

}  // namespace

Result<DocumentFilter> DocumentFilter::compile(const SearchFilters& filters) {
  DocumentFilter filter;
  filter.ids_.insert(filters.document_ids.begin(), filters.document_ids.end());
  filter.tags_ = filters.tags;
  for (const MetadataCondition& condition : filters.metadata) {
    boost::system::error_code error;
    boost::json::value value = boost::json::parse(condition.value_json, error);
    const std::string param = "filters.metadata." + condition.key;
    if (error)
      return make_error(Errc::invalid_request, "the value of '" + param + "' is not JSON", param);
    if (condition.op == Op::in && !value.is_array())
      return make_error(Errc::invalid_request, "'in' of '" + param + "' takes an array", param);
    filter.conditions_.push_back({condition.key, condition.op, std::move(value)});
  }
  return filter;
}

bool DocumentFilter::holds(const Condition& condition, const boost::json::object& metadata) {
  const boost::json::value* actual = lookup(metadata, condition.key);
  if (!actual) return condition.op == Op::ne;
  switch (condition.op) {
    case Op::eq:
      return equal(*actual, condition.value);
    case Op::ne:
      return !equal(*actual, condition.value);
    case Op::in: {
      const auto& choices = condition.value.get_array();
      return std::any_of(choices.begin(), choices.end(),
                         [&](const boost::json::value& choice) { return equal(*actual, choice); });
    }
    case Op::gt:
    case Op::gte:
    case Op::lt:
    case Op::lte: {
      const auto sign = order(*actual, condition.value);
      if (!sign) return false;
      if (condition.op == Op::gt) return *sign > 0;
      if (condition.op == Op::gte) return *sign >= 0;
      if (condition.op == Op::lt) return *sign < 0;
      return *sign <= 0;
    }
  }
  return false;
}

bool DocumentFilter::matches(const DocumentInfo& document) const {
  if (!ids_.empty() && !ids_.contains(document.id) &&
      (document.external_id.empty() || !ids_.contains(document.external_id)))
    return false;
  for (const std::string& tag : tags_)
    if (std::find(document.tags.begin(), document.tags.end(), tag) == document.tags.end())
      return false;
  for (const Condition& condition : conditions_)
    if (!holds(condition, document.metadata)) return false;
  return true;
}

}  // namespace sluice::rag
