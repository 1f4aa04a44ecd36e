#pragma once
// Periodic background work that blocks (store reads and writes): run on the blocking pool from an
// event loop's timer, and its failures logged once per streak.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string_view>

#include "core/result.hpp"

namespace sluice::ops {

// Runs `work` on the blocking pool every `period` (first after one period), for as long as the
// calling coroutine's event loop runs.
boost::asio::awaitable<void> repeat_blocking(std::chrono::milliseconds period,
                                             std::function<void()> work);

// Logs the first failure of a streak at error and nothing more until a success: a task that
// fails every second while the database is locked logs once.
class FailureStreak {
 public:
  void report(const Status& status, std::string_view message);

 private:
  bool failing_ = false;
};

}  // namespace sluice::ops
