#include "mock/mock_recorder.hpp"

#include <boost/json.hpp>

#include "core/strings.hpp"

namespace sluice::mock {
namespace json = boost::json;

namespace {
constexpr std::size_t kMaxRecordedBody = 64 * 1024;
}  // namespace

void RequestRecorder::record(const http::Request& request) {
  if (capacity_ == 0) return;
  Recorded r;
  r.method = request.method;
  r.target = request.target;
  for (const auto& header : request.headers)
    r.headers.emplace_back(core::lower(header.first), std::string(header.second));
  r.body_truncated = request.body.size() > kMaxRecordedBody;
  r.body = request.body.substr(0, kMaxRecordedBody);
  std::lock_guard lock(mutex_);
  if (requests_.size() == capacity_) requests_.pop_front();
  requests_.push_back(std::move(r));
}

std::string RequestRecorder::json() const {
  json::array list;
  std::lock_guard lock(mutex_);
  for (const Recorded& r : requests_) {
    json::object headers;
    for (const auto& [name, value] : r.headers) {
      // Repeated headers read as one, as HTTP allows (RFC 9110 5.3).
      if (json::value* seen = headers.if_contains(name))
        seen->as_string() = std::string(seen->as_string()) + ", " + value;
      else
        headers[name] = value;
    }
    list.push_back(json::object{{"method", r.method},
                                {"target", r.target},
                                {"headers", std::move(headers)},
                                {"body", r.body},
                                {"body_truncated", r.body_truncated}});
  }
  return json::serialize(json::object{{"requests", std::move(list)}});
}

void RequestRecorder::clear() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

}  // namespace sluice::mock
