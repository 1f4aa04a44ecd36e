#include "ops/drain.hpp"

#include <chrono>
#include <cstdlib>

#include "ops/logger.hpp"

namespace sluice::ops {
namespace {

// How long cancelled requests get to write their last words before their connections are cut.
constexpr std::chrono::milliseconds kCancelWait{1'000};

[[noreturn]] void exit_now(int signal_number) {
  logger().warn("second signal: exiting without waiting", {{"signal", signal_name(signal_number)}});
  std::_Exit(128 + signal_number);
}

}  // namespace

int drain_and_stop(http::Server& server, const TerminationSignals& signals,
                   const core::ShutdownConfig& shutdown, int signal_number,
                   const std::function<void()>& on_start, const std::function<bool()>& busy) {
  auto& log = logger();
  if (on_start) on_start();
  log.info("draining", {{"signal", signal_name(signal_number)},
                        {"drain_delay_ms", static_cast<long long>(shutdown.drain_delay.count())},
                        {"grace_ms", static_cast<long long>(shutdown.grace.count())}});
  if (int again = signals.wait(shutdown.drain_delay)) exit_now(again);
  server.stop_accepting();
  log.info("stopped accepting", {{"open_connections", server.open_connections()}});
  const auto deadline = std::chrono::steady_clock::now() + shutdown.grace;
  while ((server.open_connections() > 0 || (busy && busy())) &&
         std::chrono::steady_clock::now() < deadline)
    if (int again = signals.wait(std::chrono::milliseconds(20))) exit_now(again);
  if (busy && busy()) log.warn("grace period over: abandoning background work in progress");
  std::size_t left = server.open_connections();
  if (left > 0) {
    // Requests still running are told to end: streams send an error event instead of being cut
    // silently, and every request gets its access-log line with what it used so far.
    log.warn("grace period over: cancelling requests in flight", {{"connections", left}});
    server.cancel_in_flight();
    const auto cut_at = std::chrono::steady_clock::now() + kCancelWait;
    while (server.open_connections() > 0 && std::chrono::steady_clock::now() < cut_at)
      if (int again = signals.wait(std::chrono::milliseconds(20))) exit_now(again);
    left = server.open_connections();
  }
  server.stop();
  if (left > 0) log.warn("connections cut", {{"connections", left}});
  log.info("stopped");
  return 0;
}

}  // namespace sluice::ops
