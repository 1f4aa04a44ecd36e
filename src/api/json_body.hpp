#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include "http/exchange.hpp"

namespace sluice::api {

// A request body parsed into an arena: one buffer instead of an allocation per JSON node. The
// arena must outlive the value, so they travel together.
struct ParsedBody {
  unsigned char initial[512];  // held for a whole stream: small, the arena grows as needed
  boost::json::monotonic_resource arena{initial, sizeof initial};
  boost::json::object object{boost::json::storage_ptr(&arena)};
};

// Parses a JSON object body (valid UTF-8, at most kMaxJsonDepth deep, at most
// exchange.max_json_values values); on failure sets the 400 (code invalid_json; invalid_value,
// naming the field, for a number out of range) and returns false. Bodies over
// kParseOnPoolBytes are parsed on the blocking pool: a megabyte of JSON takes milliseconds,
// which every other connection of the event loop would wait for.
boost::asio::awaitable<bool> parse_object_body(http::Exchange& exchange, ParsedBody& out);

inline constexpr std::size_t kParseOnPoolBytes = 128 * 1024;
// Deeper nesting is refused with a 400 naming the limit: parsing and later walks of a value
// recurse, so the depth bounds their stack.
inline constexpr std::size_t kMaxJsonDepth = 64;

}  // namespace sluice::api
