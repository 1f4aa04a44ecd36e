#pragma once

#include <chrono>
#include <string>

#include "core/proxy_url.hpp"

namespace sluice::cmd {

// Blocking, for `sluice check`: whether `proxy` opens a CONNECT tunnel to host:port (its status
// line says 2xx) before the deadline. Nothing is sent through the tunnel. False with `error`
// saying what failed: resolving or reaching the proxy, or its answer ("407 Proxy Authentication
// Required", "403 Forbidden", ...), so that a refusal shows before serving.
bool probe_tunnel(const core::ProxyUrl& proxy, const std::string& host, const std::string& port,
                  std::chrono::steady_clock::time_point deadline, std::string& error);

}  // namespace sluice::cmd
