#include "http/url_fetcher.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "http/upstream_client.hpp"

namespace sluice::http {
namespace {

using std::chrono::milliseconds;

// A loopback server for one scenario: each connection gets `reply` (possibly nothing), then is
// held open until the client closes it or the server stops.
class OneReplyServer {
 public:
  explicit OneReplyServer(std::string reply)
      : reply_(std::move(reply)), fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneReplyServer() {
    stopping_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      char buffer[4096];
      while (!stopping_) {  // until the client closes
        pollfd readable{client, POLLIN, 0};
        if (::poll(&readable, 1, 20) > 0 && ::read(client, buffer, sizeof buffer) <= 0) break;
      }
      ::close(client);
    }
  }
  std::string reply_;
  int fd_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

FetchPolicy loopback_allowed(milliseconds timeout) {
  FetchPolicy policy;
  policy.allow_cidrs.push_back(*core::Cidr::parse("127.0.0.0/8"));
  policy.max_bytes = 1024;
  policy.timeout = timeout;
  return policy;
}

Result<FetchedBody> fetch(const std::string& url, const FetchPolicy& policy) {
  static boost::asio::io_context io;  // outlives the thread's upstream pool, as it must
  io.restart();
  std::optional<Result<FetchedBody>> out;
  auto run = [&]() -> boost::asio::awaitable<void> {
    out.emplace(co_await fetch_url(url, policy, nullptr));
  };
  boost::asio::co_spawn(io, run(), boost::asio::detached);
  io.run();
  return *out;
}

TEST(UrlFetcher, FetchesAnAllowedServer) {
  OneReplyServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nContent-Length: 3\r\n\r\n# a");
  auto fetched = fetch(server.url("/docs/a.md"), loopback_allowed(milliseconds(5'000)));
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->body, "# a");
  EXPECT_EQ(fetched->content_type, "text/markdown");
  EXPECT_EQ(fetched->url.target, "/docs/a.md");
}

TEST(UrlFetcher, TheWholeFetchEndsAtTheTimeout) {
  OneReplyServer silent("");
  const auto start = std::chrono::steady_clock::now();
  auto fetched = fetch(silent.url("/"), loopback_allowed(milliseconds(200)));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, Errc::gateway_timeout);
  EXPECT_NE(fetched.error().message.find("rag.url_ingest.timeout"), std::string::npos);
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(UrlFetcher, ABodyWithoutALengthIsCutAtTheLimitWhileItArrives) {
  OneReplyServer endless("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" +
                         std::string(64 * 1024, 'x'));
  auto fetched = fetch(endless.url("/"), loopback_allowed(milliseconds(5'000)));
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, Errc::payload_too_large);
  EXPECT_NE(fetched.error().message.find("rag.max_document_bytes"), std::string::npos);
}

TEST(UrlFetcher, ANameResolvingToLoopbackIsRefusedBeforeAnyConnection) {
  FetchPolicy policy;
  policy.max_bytes = 1024;
  auto fetched = fetch("http://localhost:1/", policy);
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code_detail, "url_not_allowed") << fetched.error().message;
  EXPECT_NE(fetched.error().message.find("loopback"), std::string::npos);
  // Names under localhost too, in any case (RFC 6761: loopback, never asked of DNS).
  fetched = fetch("http://api.LocalHost:1/", policy);
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code_detail, "url_not_allowed") << fetched.error().message;
}

}  // namespace
}  // namespace sluice::http
