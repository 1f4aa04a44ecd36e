#pragma once
// A stored response's input items as GET /v1/responses/{id}/input_items lists them: the items of
// the request in OpenAI's item shapes, each with an id, and the cursor pages over them.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sluice::gateway {

// The items of a Responses request's `input` (a string is one user message), as OpenAI lists them:
// messages with their content as parts (a string becomes one input_text part, output_text for
// the assistant) and status "completed"; function_call, function_call_output, reasoning and
// item_reference items as sent. Items without an id get a new one (msg_, fc_, fco_, rs_ and a
// random part). Nothing for an `input` of another type (the request was refused then).
boost::json::array input_items_of(const boost::json::object& responses_request);

// The list parameters: `after` (an item id; the page starts past it), `limit` (1 to 100, default
// 20), `order` (asc: as sent, desc: newest first; OpenAI's default).
struct ItemsPageQuery {
  std::string after;
  std::size_t limit = 20;
  bool ascending = false;
};
inline constexpr std::size_t kMaxItemsPageLimit = 100;

// The query from the values as sent (percent-decoded; nullopt when absent). A limit that is not a
// whole number from 1 to 100, or an order other than asc and desc, is a 400 naming the param.
Result<ItemsPageQuery> items_page_query(std::optional<std::string_view> after,
                                        std::optional<std::string_view> limit,
                                        std::optional<std::string_view> order);

// One page of `items`: {"object":"list","data","first_id","last_id","has_more"} (ids null when
// the page is empty). An `after` that names none of the items is a 400 naming "after".
Result<boost::json::object> items_page(const boost::json::array& items,
                                       const ItemsPageQuery& query);

}  // namespace sluice::gateway
