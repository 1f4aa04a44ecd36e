#pragma once

#include <chrono>

namespace sluice::core {

// Seconds since the Unix epoch: the `created` of API objects, the Date header.
inline long long unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Milliseconds since the Unix epoch: the store's timestamps, job leases and retention.
inline long long unix_milliseconds() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice::core
