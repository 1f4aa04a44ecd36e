#include "fuzz_support.hpp"

#include <boost/json/parse.hpp>

namespace sluice::fuzz {

bool is_json(std::string_view json_text) {
  boost::system::error_code ec;
  boost::json::parse(json_text, ec);
  return !ec;
}

}  // namespace sluice::fuzz
