#pragma once
// What mock-upstream last received, for tests to see what a gateway in front of it forwarded
// (headers such as anthropic-beta, bodies byte for byte): GET /mock/last-request. No I/O here.

#include <mutex>
#include <string>

#include "http/exchange.hpp"

namespace sluice::mock {

// The last inference request recorded. Thread-safe: every event loop records into it.
class LastRequest {
 public:
  void record(const http::Request& request);
  // {"method","path","headers":{lower-case name: value, repeated ones comma-joined},"body"}, the
  // body as text; {} before the first request.
  std::string json() const;

 private:
  mutable std::mutex mutex_;
  std::string json_ = "{}";
};

}  // namespace sluice::mock
