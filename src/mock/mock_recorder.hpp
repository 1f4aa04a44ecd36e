#pragma once
// The last requests mock-upstream received, kept so that a test can see exactly what a client
// (sluice) sent: method, target (path and query), headers and body. Off unless asked for
// (--record-requests N): a benchmark's upstream pays nothing for it.

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/exchange.hpp"

namespace sluice::mock {

class RequestRecorder {
 public:
  // Keeps the last `capacity` requests; 0 keeps none.
  explicit RequestRecorder(std::size_t capacity) : capacity_(capacity) {}

  bool enabled() const { return capacity_ > 0; }
  // Copies `request` (its body cut at 64 KiB, marked so). Thread-safe.
  void record(const http::Request& request);
  // {"requests":[{"method","target","headers":{lower-case name: value},"body","body_truncated"}]},
  // oldest first.
  std::string json() const;
  void clear();

 private:
  struct Recorded {
    std::string method, target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool body_truncated = false;
  };
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<Recorded> requests_;
};

}  // namespace sluice::mock
