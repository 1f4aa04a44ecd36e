#pragma once

#include <functional>

#include "core/config.hpp"
#include "http/server.hpp"
#include "ops/signals.hpp"

namespace sluice::ops {

// The shutdown sequence after the first SIGTERM/SIGINT: `on_start` (readiness off), keep serving
// for drain_delay so load balancers stop sending, close the listeners and idle connections, let
// requests in flight (and background work while `busy` says so: ingest jobs) finish within
// grace, stop. A second signal exits at once (128 + signal). Returns the exit code: 0.
int drain_and_stop(http::Server& server, const TerminationSignals& signals,
                   const core::ShutdownConfig& shutdown, int signal_number,
                   const std::function<void()>& on_start, const std::function<bool()>& busy = {});

}  // namespace sluice::ops
