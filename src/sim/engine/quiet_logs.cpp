#include "sim/engine/quiet_logs.hpp"

#include "ops/logger.hpp"

namespace sluice::sim {

QuietLogs::QuietLogs() : level_(core::LogLevel::error), format_(ops::logger().format()) {
  for (core::LogLevel level :
       {core::LogLevel::debug, core::LogLevel::info, core::LogLevel::warn, core::LogLevel::error})
    if (ops::logger().enabled(level)) {
      level_ = level;
      break;
    }
  ops::logger().configure(core::LogLevel::error, format_);
}

QuietLogs::~QuietLogs() { ops::logger().configure(level_, format_); }

}  // namespace sluice::sim
