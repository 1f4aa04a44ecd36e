#pragma once

#include "core/config.hpp"

namespace sluice::sim {

// While alive, the process logger writes errors only: a simulated outage opens and closes
// circuits thousands of times, and each transition would be a log line on stdout. (The
// transitions are still counted: sluice_circuit_transitions_total, which the report reads.)
class QuietLogs {
 public:
  QuietLogs();
  ~QuietLogs();
  QuietLogs(const QuietLogs&) = delete;
  QuietLogs& operator=(const QuietLogs&) = delete;

 private:
  core::LogLevel level_;
  core::LogFormat format_;
};

}  // namespace sluice::sim
