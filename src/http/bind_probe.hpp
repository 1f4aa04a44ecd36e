#pragma once

#include <cstdint>
#include <string>

namespace sluice::http {

// Binds a socket to host:port for a moment (SO_REUSEADDR, so connections in TIME_WAIT do not
// count; no SO_REUSEPORT, so any listener does) and closes it. Returns 0 when the address is free
// to listen on, else the errno: EADDRINUSE when another process listens there, EACCES for a
// privileged port, EADDRNOTAVAIL for an address of another machine or an unparsable host.
// "localhost" means 127.0.0.1; a host with ':' is IPv6.
int probe_bind(const std::string& host, uint16_t port);

}  // namespace sluice::http
