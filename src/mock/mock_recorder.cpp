#include "mock/mock_recorder.hpp"

#include <boost/json.hpp>
#include <cctype>

namespace sluice::mock {
namespace json = boost::json;

void LastRequest::record(const http::Request& request) {
  json::object headers;
  for (const auto& [name, value] : request.headers) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json::value& slot = headers[lower];
    if (slot.is_string())
      slot = std::string(slot.get_string()) + "," + std::string(value);
    else
      slot = value;
  }
  // Bodies are JSON text from a parser's point of view; kept as a string so that the bytes, not
  // a re-serialisation of them, are what a test compares.
  std::string text = json::serialize(json::object{{"method", request.method},
                                                  {"path", request.path},
                                                  {"headers", std::move(headers)},
                                                  {"body", request.body}});
  std::lock_guard lock(mutex_);
  json_ = std::move(text);
}

std::string LastRequest::json() const {
  std::lock_guard lock(mutex_);
  return json_;
}

}  // namespace sluice::mock
