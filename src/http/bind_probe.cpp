#include "http/bind_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::http {

int probe_bind(const std::string& host_name, uint16_t port) {
  const bool v6 = host_name.find(':') != std::string::npos;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const std::string host = host_name == "localhost" ? "127.0.0.1" : host_name;
  int rc = -1;
  errno = EADDRNOTAVAIL;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    if (inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr) == 1)
      rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1)
      rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  const int error = rc == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

}  // namespace sluice::http
