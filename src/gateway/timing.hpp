#pragma once
// The clock and the waits of the request path, behind an interface so that tests of routing,
// retries and deadlines run on a fake clock without sleeping.

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "gateway/types.hpp"

namespace sluice::gateway {

class Timing {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~Timing() = default;
  virtual Clock::time_point now() const = 0;
  // Waits `delay`, cut short by the request's deadline or cancellation: true when the whole
  // delay passed.
  // (By value: a coroutine must not hold a reference to its caller's temporary.)
  virtual boost::asio::awaitable<bool> sleep(Clock::duration delay, RequestLimits limits) = 0;
};

// steady_clock and Asio timers on the calling coroutine's executor.
Timing& real_timing();

}  // namespace sluice::gateway
