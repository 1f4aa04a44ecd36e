#pragma once

#include <chrono>

namespace sluice::ops {

// Termination signals (SIGTERM, SIGINT) taken synchronously by one thread: block() must run
// before any other thread starts, so every thread inherits the mask and none is interrupted.
class TerminationSignals {
 public:
  void block();
  // The signal number, or 0 when `timeout` passed first. A negative timeout waits forever.
  int wait(std::chrono::milliseconds timeout) const;
};

const char* signal_name(int signal_number);

}  // namespace sluice::ops
