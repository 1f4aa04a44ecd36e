#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "cmd/cli_args.hpp"
#include "cmd/commands.hpp"
#include "cmd/tcp_probe.hpp"

namespace sluice::cmd {
namespace {

constexpr int kTimeoutMs = 3000;

struct Target {
  std::string host, port, path;
};

// "http://host:port/path"; IPv6 hosts in brackets. Only plain HTTP: the probe runs in-container.
bool parse_url(const std::string& url, Target& out) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string authority = rest.substr(0, slash);
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return false;
    out.host = authority.substr(1, close - 1);
    out.port = close + 2 < authority.size() ? authority.substr(close + 2) : "80";
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    out.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  }
  return !out.host.empty();
}

// The status code of GET target, or -1 on any failure.
int fetch_status(const Target& target) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  std::string error;
  const int fd = connect_before(target.host, target.port, deadline, error);
  if (fd < 0) return -1;
  int status = -1;
  const std::string request = "GET " + target.path + " HTTP/1.1\r\nHost: " + target.host +
                              "\r\nConnection: close\r\nUser-Agent: sluice-healthcheck\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
      static_cast<ssize_t>(request.size())) {
    std::string response;
    char buf[512];
    while (response.find("\r\n") == std::string::npos && wait_fd(fd, POLLIN, deadline)) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      response.append(buf, static_cast<std::size_t>(n));
    }
    int code = 0;
    if (std::sscanf(response.c_str(), "HTTP/1.%*d %d", &code) == 1) status = code;
  }
  ::close(fd);
  return status;
}

}  // namespace

int run_healthcheck(int argc, char** argv, int first) {
  auto args = parse_cli_args_or_report(argc, argv, first, "healthcheck");
  if (!args) return args.error();
  std::string url = args->url;
  if (url.empty()) {
    auto config = load_config_or_report(*args);
    if (!config) return config.error();
    std::string host = config->server.host;
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    url = "http://" + host + ":" + std::to_string(config->server.port) + "/livez";
  }
  Target target;
  if (!parse_url(url, target)) {
    std::fprintf(stderr, "sluice healthcheck: bad url '%s' (want http://host:port/path)\n",
                 url.c_str());
    return 2;
  }
  const int status = fetch_status(target);
  if (status == 200) return 0;
  std::fprintf(stderr, "unhealthy: %s -> %s\n", url.c_str(),
               status < 0 ? "no answer" : std::to_string(status).c_str());
  return 1;
}

}  // namespace sluice::cmd
