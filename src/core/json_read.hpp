#pragma once
// Lenient readers for JSON that comes from outside (upstream answers, client requests already
// validated): a missing or mistyped field reads as empty.

#include <boost/json/fwd.hpp>
#include <string_view>

namespace sluice::core {

// The member `key` when it is a string; empty otherwise.
std::string_view string_field(const boost::json::object& object, std::string_view key);

}  // namespace sluice::core
