#include "http/bind_probe.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::http {
namespace {

// A listener on an ephemeral loopback port, with SO_REUSEPORT as every server loop sets it.
struct Listener {
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 4) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0)
      port = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd); }
  int fd = -1;
  uint16_t port = 0;
};

TEST(BindProbeTest, ATakenPortIsInUseEvenWhenItsListenerSharesWithReusePort) {
  Listener taken;
  ASSERT_NE(taken.port, 0);
  EXPECT_EQ(probe_bind("127.0.0.1", taken.port), EADDRINUSE);
  EXPECT_EQ(probe_bind("localhost", taken.port), EADDRINUSE);
  const uint16_t port = taken.port;
  ::close(taken.fd);
  taken.fd = -1;
  EXPECT_EQ(probe_bind("127.0.0.1", port), 0);
}

TEST(BindProbeTest, AForeignOrUnparsableAddressIsNotAvailable) {
  EXPECT_EQ(probe_bind("203.0.113.7", 0), EADDRNOTAVAIL);
  EXPECT_EQ(probe_bind("not an address", 0), EADDRNOTAVAIL);
}

}  // namespace
}  // namespace sluice::http
