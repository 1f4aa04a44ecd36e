#include "gateway/responses/response_items.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "core/ids.hpp"
#include "core/json_read.hpp"

namespace sluice::gateway {
namespace json = boost::json;
using core::string_field;

namespace {

std::string new_id(std::string_view prefix) { return std::string(prefix) + core::random_hex(16); }

// The content of a message item as parts: a string becomes the one text part OpenAI lists.
json::value content_parts(const json::value& content, std::string_view role) {
  if (!content.is_string()) return content;
  if (role == "assistant")
    return json::array{
        json::object{{"type", "output_text"}, {"text", content}, {"annotations", json::array()}}};
  return json::array{json::object{{"type", "input_text"}, {"text", content}}};
}

json::object message_item(const json::object& item) {
  json::object out;
  const std::string_view id = string_field(item, "id");
  out["id"] = id.empty() ? new_id("msg_") : std::string(id);
  out["type"] = "message";
  const std::string_view role = string_field(item, "role");
  out["role"] = role;
  const json::value* content = item.if_contains("content");
  out["content"] = content ? content_parts(*content, role) : json::value(json::array());
  const std::string_view status = string_field(item, "status");
  out["status"] = status.empty() ? std::string_view("completed") : status;
  return out;
}

// Other items are listed as sent, with an id (and, for calls and their outputs, a status) added
// when they came without.
json::object other_item(const json::object& item, std::string_view type) {
  json::object out = item;
  if (string_field(item, "id").empty()) {
    std::string_view prefix = "rs_";
    if (type == "function_call") prefix = "fc_";
    if (type == "function_call_output") prefix = "fco_";
    out["id"] = new_id(prefix);
  }
  if ((type == "function_call" || type == "function_call_output") &&
      string_field(item, "status").empty())
    out["status"] = "completed";
  return out;
}

Error invalid_param(std::string_view param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::string(param));
}

}  // namespace

json::array input_items_of(const json::object& request) {
  json::array items;
  const json::value* input = request.if_contains("input");
  if (!input) return items;
  if (input->is_string()) {
    items.push_back(message_item(json::object{{"role", "user"}, {"content", *input}}));
    return items;
  }
  const json::array* list = input->if_array();
  if (!list) return items;
  for (const json::value& value : *list) {
    const json::object* item = value.if_object();
    if (!item) continue;
    const std::string_view type = string_field(*item, "type");
    if (type.empty() || type == "message")
      items.push_back(message_item(*item));
    else
      items.push_back(other_item(*item, type));
  }
  return items;
}

Result<ItemsPageQuery> items_page_query(std::optional<std::string_view> after,
                                        std::optional<std::string_view> limit,
                                        std::optional<std::string_view> order) {
  ItemsPageQuery query;
  if (after) query.after = std::string(*after);
  if (limit) {
    std::size_t value = 0;
    const char* end = limit->data() + limit->size();
    const auto parsed = std::from_chars(limit->data(), end, value);
    if (limit->empty() || parsed.ec != std::errc() || parsed.ptr != end || value < 1 ||
        value > kMaxItemsPageLimit)
      return invalid_param("limit", "Invalid 'limit': expected a whole number from 1 to " +
                                        std::to_string(kMaxItemsPageLimit) + ", got '" +
                                        std::string(*limit) + "'.");
    query.limit = value;
  }
  if (order) {
    if (*order != "asc" && *order != "desc")
      return invalid_param(
          "order", "Invalid 'order': expected 'asc' or 'desc', got '" + std::string(*order) + "'.");
    query.ascending = *order == "asc";
  }
  return query;
}

Result<json::object> items_page(const json::array& items, const ItemsPageQuery& query) {
  const std::size_t count = items.size();
  // The i-th item in the requested order.
  auto at = [&](std::size_t i) -> const json::value& {
    return items[query.ascending ? i : count - 1 - i];
  };
  std::size_t start = 0;
  if (!query.after.empty()) {
    bool found = false;
    while (!found && start < count) {
      const json::object* item = at(start++).if_object();
      found = item && string_field(*item, "id") == query.after;
    }
    if (!found)
      return invalid_param(
          "after", "Invalid 'after': no input item of this response has id '" + query.after + "'.");
  }
  json::array data;
  for (std::size_t i = start; i < count && data.size() < query.limit; ++i) data.push_back(at(i));
  json::value first_id = nullptr;
  json::value last_id = nullptr;
  if (!data.empty()) {
    first_id = string_field(data.front().as_object(), "id");
    last_id = string_field(data.back().as_object(), "id");
  }
  const bool has_more = start + data.size() < count;
  return json::object{{"object", "list"},
                      {"data", std::move(data)},
                      {"first_id", std::move(first_id)},
                      {"last_id", std::move(last_id)},
                      {"has_more", has_more}};
}

}  // namespace sluice::gateway
