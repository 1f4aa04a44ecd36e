#pragma once
// JSON from clients parsed under bounds: nesting depth (parsing and later walks recurse) and the
// number of values (each costs a DOM node, ~30-100 bytes, several times the text it came from: a
// million one-letter values in 30 MB of text would take hundreds of MB and seconds to build, walk
// and free). A refusal says why, and for a number out of range, where.

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::core {

struct JsonBounds {
  std::size_t max_depth = 64;
  std::size_t max_values = 0;  // scalars, arrays and objects (keys not counted); 0: unbounded
};

struct JsonRefusal {
  enum class Reason { syntax, too_deep, too_many_values, number_out_of_range };
  Reason reason = Reason::syntax;
  std::string detail;  // syntax: the parser's words ("syntax error", "illegal leading surrogate")
  // number_out_of_range: the number's place, as OpenAI writes a param ("temperature",
  // "messages[0].content[2].x"); empty for a bare number.
  std::string path;
};

// Parses `text`, one JSON value with optional whitespace around it, into `out`, allocated from
// `out`'s storage (construct it with an arena's). Stops at the first value past
// bounds.max_values, so what it allocated stays bounded too. nullopt on success.
std::optional<JsonRefusal> parse_json_bounded(std::string_view text, const JsonBounds& bounds,
                                              boost::json::value& out);

}  // namespace sluice::core
