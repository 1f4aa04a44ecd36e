#pragma once

#include <chrono>
#include <string>

namespace sluice::cmd {

// Blocking helpers for the CLI's probes (healthcheck, check), not for the server.

// A connected TCP socket to host:port within the deadline, or -1 with `error` set.
int connect_before(const std::string& host, const std::string& port,
                   std::chrono::steady_clock::time_point deadline, std::string& error);

// Waits until `fd` is ready for `events` (poll flags) or the deadline passes.
bool wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline);

}  // namespace sluice::cmd
