#include "core/json_overlay.hpp"

#include <boost/json/serializer.hpp>

#include "core/json_text.hpp"

namespace sluice::core {
namespace json = boost::json;
namespace {

// Appends `value` serialized, piece by piece: no temporary string of a possibly huge value.
void append_serialized(std::string& out, json::serializer& serializer, const json::value& value) {
  char piece[16384];
  serializer.reset(&value);
  while (!serializer.done()) out.append(serializer.read(piece, sizeof piece));
}

void append_member(std::string& out, json::serializer& serializer, bool& first,
                   std::string_view key, const json::value& value) {
  if (!first) out += ',';
  first = false;
  append_json_string(out, key);
  out += ':';
  append_serialized(out, serializer, value);
}

}  // namespace

std::string serialize_with_overrides(const json::object& object, const json::object& overrides,
                                     std::size_t size_hint) {
  std::string out;
  out.reserve(size_hint + 64);
  out += '{';
  json::serializer serializer;
  bool first = true;
  for (const json::key_value_pair& member : object) {
    const json::value* replaced = overrides.if_contains(member.key());
    append_member(out, serializer, first, member.key(), replaced ? *replaced : member.value());
  }
  for (const json::key_value_pair& member : overrides)
    if (!object.contains(member.key()))
      append_member(out, serializer, first, member.key(), member.value());
  out += '}';
  return out;
}

}  // namespace sluice::core
