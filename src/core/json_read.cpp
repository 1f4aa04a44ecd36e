#include "core/json_read.hpp"

#include <boost/json/object.hpp>

namespace sluice::core {

std::string_view string_field(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace sluice::core
