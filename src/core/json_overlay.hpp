#pragma once
// A JSON object sent on with a few members changed, without copying the object first: a request
// may hold megabytes (base64 images, long conversations) or a great many nodes, and a deep copy
// of it costs as much as parsing it did.

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>

namespace sluice::core {

// `object` serialized with each member of `overrides` in place of the member of the same name
// (appended, in order, when `object` has none). `size_hint`: the expected length, reserved up
// front (the length of the text `object` was parsed from is a good one).
std::string serialize_with_overrides(const boost::json::object& object,
                                     const boost::json::object& overrides,
                                     std::size_t size_hint = 0);

}  // namespace sluice::core
