#include "cmd/proxy_probe.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cmd/tcp_probe.hpp"

namespace sluice::cmd {
namespace {

constexpr std::size_t kMaxAnswerHead = 16 * 1024;

bool send_all(int fd, std::string_view bytes, std::chrono::steady_clock::time_point deadline) {
  while (!bytes.empty()) {
    if (!wait_fd(fd, POLLOUT, deadline)) return false;
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The proxy's answer head, up to its blank line; empty when it closed or went silent first.
std::string read_head(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string head;
  char chunk[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxAnswerHead) {
    if (!wait_fd(fd, POLLIN, deadline)) return {};
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return {};
    head.append(chunk, static_cast<std::size_t>(n));
  }
  return head;
}

}  // namespace

bool probe_tunnel(const core::ProxyUrl& proxy, const std::string& host, const std::string& port,
                  std::chrono::steady_clock::time_point deadline, std::string& error) {
  const std::string who = "egress proxy " + proxy.authority();
  std::string reason;
  const int fd = connect_before(proxy.host, proxy.port, deadline, reason);
  if (fd < 0) {
    error = who + " is unreachable: " + reason;
    return false;
  }
  const std::string target = core::host_port(host, port);
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (const std::string credentials = proxy.authorization(); !credentials.empty())
    request += "Proxy-Authorization: " + credentials + "\r\n";
  request += "\r\n";
  const bool sent = send_all(fd, request, deadline);
  const std::string head = sent ? read_head(fd, deadline) : std::string();
  ::close(fd);
  const std::size_t line_end = head.find("\r\n");
  const std::string line = head.substr(0, line_end == std::string::npos ? 0 : line_end);
  // "HTTP/1.1 200 Connection established": the status is the second word.
  const std::size_t space = line.find(' ');
  const std::string status = space == std::string::npos ? "" : line.substr(space + 1, 3);
  if (line.starts_with("HTTP/") && status.size() == 3 && status[0] == '2') return true;
  if (!sent || head.empty())
    error = who + " did not answer CONNECT " + target + " (closed, or silent until the timeout)";
  else if (!line.starts_with("HTTP/") || status.size() != 3)
    error = who + " answered CONNECT " + target + " with something that is not HTTP";
  else
    error = who + " refused CONNECT " + target + ": " + line.substr(space + 1, 128);
  return false;
}

}  // namespace sluice::cmd
