// Routes that stream their request body (RouteOptions::stream_body), through an in-process
// server and a raw loopback client: the body's framing decoded piece by piece into the handler's
// buffer, its limit, 100-continue, a handler that refuses without reading, a client that leaves.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "core/fnv1a.hpp"
#include "http/server.hpp"

namespace sluice::http {
namespace {

using namespace std::chrono_literals;

class NullObserver final : public RequestObserver {
 public:
  void on_request_start() override {}
  void on_request_end(const Exchange&, std::size_t) override {}
};

// A blocking loopback client.
class Client {
 public:
  explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~Client() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Reads until `marker` arrived (then returns everything read) or `timeout` passes.
  std::string read_until(std::string_view marker, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (input_.find(marker) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
      char buffer[65536];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      input_.append(buffer, static_cast<std::size_t>(n));
    }
    return input_;
  }
  bool closed_by_peer(std::chrono::milliseconds timeout = 5s) {
    read_until("\x01never\x02", timeout);
    return closed_;
  }
  void clear() { input_.clear(); }

 private:
  int fd_;
  std::string input_;
  bool closed_ = false;
};

// What the handler saw of the last body.
struct Seen {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> hash{0};
  std::atomic<std::size_t> largest_piece{0};
  std::atomic<int> errors{0};
  std::atomic<bool> client_gone{false};
  std::atomic<bool> deadline{false};
  std::atomic<int> handled{0};
};

constexpr std::size_t kHandlerBuffer = 8192;

class StreamedBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.threads = 1;
    config_.host = "127.0.0.1";
    config_.port = 0;
    config_.body_timeout = body_timeout_;
    const RouteOptions streamed{.max_body_bytes = 4 * 1024 * 1024,
                                .body_limit_key = "test.max_upload_bytes",
                                .stream_body = true};
    router_.add(
        "POST", "/upload", [this](Exchange& ex) { return read_all(ex); }, streamed);
    // Read within a deadline 800 ms after the request began, as the upload routes do.
    router_.add(
        "POST", "/deadline",
        [this](Exchange& ex) {
          ex.body_reader->set_request_deadline(ex.started + 800ms);
          return read_all(ex);
        },
        streamed);
    // Refuses without reading the body, as a filter or an early check would.
    router_.add(
        "POST", "/refuse",
        [](Exchange& ex) -> boost::asio::awaitable<void> {
          ex.response.set_error(make_error(Errc::unauthorized, "no"));
          co_return;
        },
        streamed);
    server_ = std::make_unique<Server>(config_, router_, observer_);
    ASSERT_TRUE(server_->listen());
    server_->start();
  }
  void TearDown() override { server_->stop(); }

  boost::asio::awaitable<void> read_all(Exchange& ex) {
    seen_.handled++;
    EXPECT_TRUE(ex.request.body.empty());
    EXPECT_NE(ex.body_reader, nullptr);
    char buffer[kHandlerBuffer];
    std::uint64_t bytes = 0, hash = core::kFnv1aOffsetBasis;
    for (;;) {
      auto n = co_await ex.body_reader->read(std::span(buffer));
      if (!n) {
        seen_.errors++;
        seen_.client_gone = ex.cancellation.reason() == core::Cancellation::Reason::client_gone;
        seen_.deadline = ex.cancellation.reason() == core::Cancellation::Reason::deadline;
        ex.response.set_error(n.error());
        co_return;
      }
      if (*n == 0) break;
      seen_.largest_piece = std::max<std::size_t>(seen_.largest_piece, *n);
      bytes += *n;
      hash = core::fnv1a(std::string_view(buffer, *n), hash);
    }
    seen_.bytes = bytes;
    seen_.hash = hash;
    EXPECT_EQ(ex.body_reader->bytes_read(), bytes);
    ex.response.set_json(200, boost::json::serialize(boost::json::object{{"bytes", bytes}}));
  }

  int port() const { return server_->local_port(); }

  std::chrono::milliseconds body_timeout_ = 300ms;
  core::ServerConfig config_;
  Router router_;
  NullObserver observer_;
  std::unique_ptr<Server> server_;
  Seen seen_;
};

std::string pattern(std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 13 % 256);
  return data;
}

std::string post(std::string_view path, std::size_t length, std::string_view extra = {}) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

TEST_F(StreamedBodyTest, AContentLengthBodyArrivesInBoundedPiecesAndKeepAliveHolds) {
  const std::string body = pattern(3 * 1024 * 1024);
  Client client(port());
  ASSERT_TRUE(client.send(post("/upload", body.size()) + body));
  EXPECT_NE(client.read_until("}").find("{\"bytes\":3145728}"), std::string::npos);
  EXPECT_EQ(seen_.hash.load(), core::fnv1a(body));
  EXPECT_LE(seen_.largest_piece.load(), kHandlerBuffer);
  // The same connection serves the next request.
  client.clear();
  ASSERT_TRUE(client.send(post("/upload", 5) + "hello"));
  EXPECT_NE(client.read_until("}").find("{\"bytes\":5}"), std::string::npos);
  EXPECT_EQ(seen_.handled.load(), 2);
}

TEST_F(StreamedBodyTest, AnEmptyBodyEndsAtOnce) {
  Client client(port());
  ASSERT_TRUE(client.send(post("/upload", 0)));
  EXPECT_NE(client.read_until("}").find("{\"bytes\":0}"), std::string::npos);
  client.clear();
  ASSERT_TRUE(client.send("POST /upload HTTP/1.1\r\nHost: x\r\n\r\n"));  // no framing: none
  EXPECT_NE(client.read_until("}").find("{\"bytes\":0}"), std::string::npos);
}

TEST_F(StreamedBodyTest, AChunkedBodyIsDecoded) {
  Client client(port());
  ASSERT_TRUE(
      client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  EXPECT_NE(client.read_until("}").find("{\"bytes\":11}"), std::string::npos);
  EXPECT_EQ(seen_.hash.load(), core::fnv1a("hello world"));
}

TEST_F(StreamedBodyTest, TheRouteLimitIs413NamingItsKeyBeforeOrWhileReading) {
  {
    Client declared(port());
    ASSERT_TRUE(declared.send(post("/upload", 5 * 1024 * 1024)));
    const std::string response = declared.read_until("}");
    EXPECT_NE(response.find("HTTP/1.1 413"), std::string::npos) << response;
    EXPECT_NE(response.find("test.max_upload_bytes"), std::string::npos) << response;
    EXPECT_EQ(seen_.handled.load(), 0) << "refused before the handler";
  }
  Client chunked(port());
  ASSERT_TRUE(
      chunked.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string piece = pattern(64 * 1024);
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  for (int i = 0; i < 80 && chunked.send(std::string(size) + piece + "\r\n"); ++i) {
  }
  const std::string response = chunked.read_until("}");
  EXPECT_NE(response.find("HTTP/1.1 413"), std::string::npos) << response.substr(0, 300);
  EXPECT_NE(response.find("(raise test.max_upload_bytes)"), std::string::npos);
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_EQ(seen_.errors.load(), 1);
}

// The client waits for 100 Continue before sending: it comes only once the handler reads.
TEST_F(StreamedBodyTest, ContinueIsSentWhenTheHandlerReadsAndNotWhenItRefuses) {
  Client refused(port());
  ASSERT_TRUE(refused.send(post("/refuse", 1000, "Expect: 100-continue\r\n")));
  const std::string no = refused.read_until("}");
  EXPECT_EQ(no.find("100 Continue"), std::string::npos) << no;
  EXPECT_NE(no.find("HTTP/1.1 401"), std::string::npos) << no;
  EXPECT_NE(no.find("Connection: close"), std::string::npos)
      << "the unread body ends the connection";
  EXPECT_TRUE(refused.closed_by_peer());

  Client accepted(port());
  ASSERT_TRUE(accepted.send(post("/upload", 4, "Expect: 100-continue\r\n")));
  EXPECT_NE(accepted.read_until("100 Continue\r\n\r\n").find("HTTP/1.1 100 Continue"),
            std::string::npos);
  ASSERT_TRUE(accepted.send("abcd"));
  EXPECT_NE(accepted.read_until("}").find("{\"bytes\":4}"), std::string::npos);
}

TEST_F(StreamedBodyTest, AClientLeavingMidBodyIsSeenAsGone) {
  {
    Client client(port());
    ASSERT_TRUE(client.send(post("/upload", 1'000'000) + pattern(10'000)));
    for (int i = 0; i < 250 && seen_.handled.load() == 0; ++i) std::this_thread::sleep_for(20ms);
  }
  for (int i = 0; i < 250 && seen_.errors.load() == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(seen_.errors.load(), 1);
  EXPECT_TRUE(seen_.client_gone.load());
}

TEST_F(StreamedBodyTest, ASilentClientTimesOutWith408) {
  Client client(port());
  ASSERT_TRUE(client.send(post("/upload", 100) + "only some"));
  const std::string response = client.read_until("}");
  EXPECT_NE(response.find("HTTP/1.1 408"), std::string::npos) << response;
  EXPECT_NE(response.find("server.body_timeout"), std::string::npos) << response;
}

// server.body_timeout far above the deadline and the pace of the trickles below.
class StreamedBodyDeadlineTest : public StreamedBodyTest {
 protected:
  StreamedBodyDeadlineTest() { body_timeout_ = 3s; }
};

// A client that sends a byte every 100 ms is never silent for server.body_timeout: the request's
// deadline ends the body all the same, with a 504 and the cancellation's reason.
TEST_F(StreamedBodyDeadlineTest, ATrickleThatIsNeverSilentStillEndsAtTheRequestsDeadline) {
  Client client(port());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.send(post("/deadline", 1000)));
  std::string response;
  for (int i = 0; i < 100 && response.empty(); ++i) {
    if (!client.send("x")) break;
    response = client.read_until("}", 100ms);
  }
  response += client.read_until("}");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_NE(response.find("HTTP/1.1 504"), std::string::npos) << response;
  EXPECT_NE(response.find("deadline_exceeded"), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_GE(elapsed, 700ms);
  EXPECT_LT(elapsed, 2500ms) << "the trickle held the request past its deadline";
  EXPECT_TRUE(seen_.deadline.load());
  EXPECT_EQ(seen_.errors.load(), 1);
}

// Without a deadline the same trickle is read whole: body_timeout alone bounds only silences.
TEST_F(StreamedBodyDeadlineTest, WithoutADeadlineATrickleIsReadWhole) {
  Client client(port());
  ASSERT_TRUE(client.send(post("/upload", 12)));
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(client.send("x"));
    std::this_thread::sleep_for(100ms);  // the client's pace, under body_timeout
  }
  EXPECT_NE(client.read_until("}").find("{\"bytes\":12}"), std::string::npos);
}

}  // namespace
}  // namespace sluice::http
