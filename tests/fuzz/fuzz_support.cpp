#include "fuzz_support.hpp"

#include <boost/json/parse.hpp>

namespace sluice::fuzz {

bool is_json(std::string_view json_text) {
  boost::system::error_code ec;
  boost::json::parse(json_text, ec);
  return !ec;
}

}  // namespace sluice::fuzz

#ifdef BOOST_ENABLE_ASSERT_HANDLER  // fuzz builds: Boost's assertions stay on, through here
#include <boost/assert.hpp>
#include <cstring>

namespace boost {

// Aborts as BOOST_ASSERT does, except for one of Beast 1.81's assertions that is wrong:
// parse_chunk_header asserts 5 bytes on re-entry after a last-chunk line whose trailer has not
// arrived, when a read may have added a single byte. Release builds (NDEBUG) parse that right.
void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(file, "beast/http/impl/basic_parser.ipp"))
    return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed%s%s\n", file, line, function, expr,
               msg ? ": " : "", msg ? msg : "");
  std::abort();
}

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
#endif
