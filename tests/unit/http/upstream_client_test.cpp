#include "http/upstream_client.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace sluice::http {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;

// How long one side waits for the other's signal before the test gives up.
constexpr std::chrono::seconds kPatience{5};
constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// One accepted connection, served by blocking calls on its own thread.
class Peer {
 public:
  explicit Peer(tcp::socket socket) : socket_(std::move(socket)) {}

  // Reads one request (head and Content-Length body); false when the client closed instead.
  bool read_request() {
    boost::system::error_code ec;
    const std::size_t head =
        asio::read_until(socket_, asio::dynamic_buffer(input_), "\r\n\r\n", ec);
    if (ec) return false;
    std::size_t body = 0;
    const auto at = input_.find("Content-Length: ");
    if (at < head) body = std::stoul(input_.substr(at + 16));
    if (input_.size() < head + body)
      asio::read(socket_, asio::dynamic_buffer(input_),
                 asio::transfer_exactly(head + body - input_.size()), ec);
    last_head_ = input_.substr(0, head);
    input_.erase(0, head + body);
    return !ec;
  }
  // The head of the request read last.
  const std::string& last_head() const { return last_head_; }
  bool write(std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    return !ec;
  }
  // Blocks until the client closes its end.
  void wait_for_client_close() {
    char byte;
    boost::system::error_code ec;
    while (!ec) socket_.read_some(asio::buffer(&byte, 1), ec);
  }
  // An orderly close (FIN), or an abortive one (RST: zero linger).
  void close() { close_socket(false); }
  void reset() { close_socket(true); }

 private:
  friend class LoopbackServer;
  void close_socket(bool abortive) {
    std::lock_guard lock(mutex_);
    boost::system::error_code ignored;
    if (abortive) socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
  }
  // Wakes a blocked read or write from another thread; the socket stays owned by its thread.
  void interrupt() {
    std::lock_guard lock(mutex_);
    if (socket_.is_open()) ::shutdown(socket_.native_handle(), SHUT_RDWR);
  }

  std::mutex mutex_;
  tcp::socket socket_;
  std::string input_;
  std::string last_head_;
};

// An HTTP/1.1 server on 127.0.0.1, port chosen by the kernel: each accepted connection gets its
// own thread running `serve`. Counting accepted connections shows what the client pooled.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(Peer&)> serve)
      : serve_(std::move(serve)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~LoopbackServer() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocked accept
    accept_thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& peer : peers_) peer->interrupt();
    for (auto& thread : threads_) thread.join();
  }

  UpstreamEndpoint endpoint() const {
    return *UpstreamEndpoint::parse("http://127.0.0.1:" +
                                    std::to_string(acceptor_.local_endpoint().port()));
  }
  int accepted() const { return accepted_.load(); }

 private:
  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      if (ec) return;
      ++accepted_;
      std::lock_guard lock(mutex_);
      Peer& peer = *peers_.emplace_back(std::make_unique<Peer>(std::move(socket)));
      threads_.emplace_back([this, &peer] { serve_(peer); });
    }
  }

  std::function<void(Peer&)> serve_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::list<std::unique_ptr<Peer>> peers_;
  std::list<std::thread> threads_;
  std::thread accept_thread_;
};

// Answers every request on a connection with 200 "ok", keeping it alive.
void answer_ok_forever(Peer& peer) {
  while (peer.read_request() && peer.write(kOk)) {
  }
}

// Runs a client scenario on this thread's event loop until it is done. The loop is static: the
// thread's pool of idle upstream connections lives until the thread ends and must not outlive
// the loop its sockets belong to.
void run_client(std::function<awaitable<void>()> scenario) {
  static asio::io_context io;
  io.restart();
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(scenario), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

UpstreamTimeouts short_timeouts() {
  // Long enough never to fire on a healthy loopback exchange; short enough that a broken
  // behaviour fails the test instead of hanging it.
  return {.connect = milliseconds{5'000},
          .first_byte = milliseconds{5'000},
          .idle = milliseconds{5'000},
          .total = milliseconds{20'000}};
}

UpstreamRequest post_request() {
  UpstreamRequest request;
  request.target = "/v1/chat/completions";
  request.headers = "Content-Type: application/json\r\n";
  request.body = "{}";
  return request;
}

struct Outcome {
  bool started = false;
  std::string body;
  core::AttemptOutcome failure = core::AttemptOutcome::success;
};

// One whole exchange: start, then read the body to its end.
awaitable<Outcome> fetch(const UpstreamEndpoint& endpoint,
                         UpstreamTimeouts timeouts = short_timeouts()) {
  UpstreamCall call;
  Outcome outcome;
  const UpstreamRequest request = post_request();
  outcome.started = (co_await call.start(endpoint, request, timeouts)).ok();
  if (outcome.started) {
    auto body = co_await call.read_all(1 << 20);
    if (body) outcome.body = *body;
  }
  outcome.failure = call.outcome();
  co_return outcome;
}

TEST(UpstreamCallTest, SecondRequestReusesThePooledConnection) {
  LoopbackServer server(answer_ok_forever);
  Outcome first, second;
  run_client([&]() -> awaitable<void> {
    first = co_await fetch(server.endpoint());
    second = co_await fetch(server.endpoint());
  });
  EXPECT_EQ(first.body, "ok");
  EXPECT_EQ(second.body, "ok");
  EXPECT_EQ(second.failure, core::AttemptOutcome::success);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(UpstreamCallTest, PooledConnectionClosedByTheServerIsReplacedAndTheRequestResent) {
  std::promise<void> closed;
  std::atomic<int> connections{0};
  LoopbackServer server([&](Peer& peer) {
    if (connections++ > 0) return answer_ok_forever(peer);
    if (peer.read_request()) peer.write(kOk);  // keep-alive, then an idle close (FIN)
    peer.close();
    closed.set_value();
  });
  Outcome first, second;
  run_client([&]() -> awaitable<void> {
    first = co_await fetch(server.endpoint());
    // The pooled connection is now dead.
    EXPECT_EQ(closed.get_future().wait_for(kPatience), std::future_status::ready);
    second = co_await fetch(server.endpoint());
  });
  EXPECT_EQ(first.body, "ok");
  EXPECT_TRUE(second.started);
  EXPECT_EQ(second.body, "ok");
  EXPECT_EQ(second.failure, core::AttemptOutcome::success);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(UpstreamCallTest, ResetMidBodyFailsAsReset) {
  std::promise<void> head_read;
  LoopbackServer server([&](Peer& peer) {
    if (!peer.read_request()) return;
    peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    head_read.get_future().wait_for(kPatience);
    peer.reset();
  });
  bool started = false;
  std::string received;
  Status rest;
  core::AttemptOutcome failure = core::AttemptOutcome::success;
  run_client([&]() -> awaitable<void> {
    UpstreamCall call;
    started = (co_await call.start(server.endpoint(), post_request(), short_timeouts())).ok();
    if (started) {
      auto piece = co_await call.read_some();
      if (piece) received = *piece;
    }
    head_read.set_value();
    if (started) {
      auto remainder = co_await call.read_all(1 << 20);
      if (!remainder) rest = remainder.error();
    }
    failure = call.outcome();
  });
  ASSERT_TRUE(started);
  EXPECT_EQ(received, "0123456789");
  EXPECT_FALSE(rest.ok());
  EXPECT_EQ(failure, core::AttemptOutcome::reset);
}

TEST(UpstreamCallTest, FirstByteTimeoutFiresWhenTheUpstreamStaysSilent) {
  LoopbackServer server([](Peer& peer) {
    if (peer.read_request()) peer.wait_for_client_close();
  });
  UpstreamTimeouts timeouts = short_timeouts();
  timeouts.first_byte = milliseconds{50};
  Outcome outcome;
  const auto begin = std::chrono::steady_clock::now();
  run_client([&]() -> awaitable<void> { outcome = co_await fetch(server.endpoint(), timeouts); });
  const auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_FALSE(outcome.started);
  EXPECT_EQ(outcome.failure, core::AttemptOutcome::timeout);
  EXPECT_GE(waited, milliseconds{50});
  EXPECT_LT(waited, timeouts.idle);
}

// A deadline the client chose cuts the call without blaming the upstream; the operator's
// configured deadline is the upstream's timeout, so that a hung upstream opens its circuit.
TEST(UpstreamCallTest, RequestDeadlineBlamesTheUpstreamOnlyWhenConfigured) {
  LoopbackServer server([](Peer& peer) {
    if (peer.read_request()) peer.wait_for_client_close();
  });
  for (const bool from_client : {true, false}) {
    UpstreamTimeouts timeouts = short_timeouts();
    timeouts.request_deadline = std::chrono::steady_clock::now() + milliseconds{50};
    timeouts.request_deadline_from_client = from_client;
    Outcome outcome;
    run_client([&]() -> awaitable<void> { outcome = co_await fetch(server.endpoint(), timeouts); });
    EXPECT_FALSE(outcome.started);
    EXPECT_EQ(outcome.failure,
              from_client ? core::AttemptOutcome::cancelled : core::AttemptOutcome::timeout);
  }
}

// The client of the gateway leaves while the upstream thinks: the upstream connection is closed
// at once (the upstream sees it), and the outcome says why.
TEST(UpstreamCallTest, CancellationClosesTheUpstreamConnectionAtOnce) {
  std::promise<void> upstream_saw_close;
  LoopbackServer server([&](Peer& peer) {
    if (!peer.read_request()) return;
    peer.wait_for_client_close();
    upstream_saw_close.set_value();
  });
  core::Cancellation cancellation;
  UpstreamTimeouts timeouts = short_timeouts();
  timeouts.cancellation = &cancellation;
  Outcome outcome;
  const auto begin = std::chrono::steady_clock::now();
  run_client([&]() -> awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(milliseconds{30});
    timer.async_wait([&](const boost::system::error_code&) {
      cancellation.cancel(core::Cancellation::Reason::client_gone);
    });
    outcome = co_await fetch(server.endpoint(), timeouts);
  });
  EXPECT_EQ(outcome.failure, core::AttemptOutcome::client_gone);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, timeouts.first_byte);
  EXPECT_EQ(upstream_saw_close.get_future().wait_for(kPatience), std::future_status::ready);
}

TEST(UpstreamCallTest, AlreadyCancelledRequestSendsNothing) {
  LoopbackServer server(answer_ok_forever);
  core::Cancellation cancellation;
  cancellation.cancel(core::Cancellation::Reason::shutdown);
  UpstreamTimeouts timeouts = short_timeouts();
  timeouts.cancellation = &cancellation;
  Outcome outcome;
  run_client([&]() -> awaitable<void> { outcome = co_await fetch(server.endpoint(), timeouts); });
  EXPECT_FALSE(outcome.started);
  EXPECT_EQ(outcome.failure, core::AttemptOutcome::cancelled);
  EXPECT_EQ(server.accepted(), 0);
}

// An upstream that never ends a chunk's header line (an endless extension) or its trailer
// section: the client must give up once its bounded buffer is full, not wait for more.
class EndlessChunkMetadataTest : public testing::TestWithParam<std::string_view> {};

TEST_P(EndlessChunkMetadataTest, FailsAsProtocolErrorWithoutBufferingIt) {
  LoopbackServer server([](Peer& peer) {
    if (!peer.read_request()) return;
    peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    peer.write(GetParam());
    const std::string filler(16 * 1024, 'a');
    // 8 MiB, then silence: an unbounded client would still be waiting (idle timeout).
    for (int i = 0; i < 512 && peer.write(filler); ++i) {
    }
    peer.wait_for_client_close();
  });
  Outcome outcome;
  run_client([&]() -> awaitable<void> { outcome = co_await fetch(server.endpoint()); });
  EXPECT_TRUE(outcome.started);
  EXPECT_EQ(outcome.failure, core::AttemptOutcome::protocol);
}

INSTANTIATE_TEST_SUITE_P(UpstreamCallTest, EndlessChunkMetadataTest,
                         testing::Values("5;name=", "2\r\nok\r\n0\r\nX-Trailer: "));

TEST(UpstreamCallTest, OnlyAResponseReadToItsEndReturnsTheConnectionToThePool) {
  LoopbackServer server(answer_ok_forever);
  std::vector<bool> started;
  run_client([&]() -> awaitable<void> {
    const UpstreamEndpoint endpoint = server.endpoint();
    const UpstreamRequest request = post_request();
    co_await fetch(endpoint);  // connection 1, read to its end: pooled
    {
      UpstreamCall abandoned;  // reuses connection 1, then gives it up
      started.push_back((co_await abandoned.start(endpoint, request, short_timeouts())).ok());
      abandoned.abandon();
    }
    {
      UpstreamCall unread;  // connection 2, its body never read: not pooled
      started.push_back((co_await unread.start(endpoint, request, short_timeouts())).ok());
    }
    co_await fetch(endpoint);  // connection 3
  });
  EXPECT_EQ(started, (std::vector<bool>{true, true}));
  EXPECT_EQ(server.accepted(), 3);
}

// Through an egress proxy. The loopback server plays the proxy; what it reads is what a proxy
// would get.

UpstreamEndpoint via_proxy(std::string url, const LoopbackServer& proxy, std::string user = "",
                           std::string password = "") {
  UpstreamEndpoint endpoint = *UpstreamEndpoint::parse(url);
  const UpstreamEndpoint at = proxy.endpoint();
  endpoint.proxy = core::ProxyUrl{at.host, at.port, std::move(user), std::move(password)};
  return endpoint;
}

struct Failure {
  core::AttemptOutcome outcome = core::AttemptOutcome::success;
  std::string message;
};

awaitable<Failure> start_failure(const UpstreamEndpoint& endpoint,
                                 UpstreamTimeouts timeouts = short_timeouts()) {
  UpstreamCall call;
  Status started = co_await call.start(endpoint, post_request(), timeouts);
  co_return Failure{call.outcome(), started.ok() ? "" : started.error().message};
}

TEST(UpstreamCallProxyTest, PlainHttpGoesInAbsoluteFormWithTheProxyCredentials) {
  std::mutex mutex;
  std::vector<std::string> heads;
  LoopbackServer proxy([&](Peer& peer) {
    while (peer.read_request()) {
      {
        std::lock_guard lock(mutex);
        heads.push_back(peer.last_head());
      }
      if (!peer.write(kOk)) return;
    }
  });
  Outcome first, second, other;
  run_client([&]() -> awaitable<void> {
    first =
        co_await fetch(via_proxy("http://upstream.test:8080/v1", proxy, "Aladdin", "open sesame"));
    second =
        co_await fetch(via_proxy("http://upstream.test:8080/v1", proxy, "Aladdin", "open sesame"));
    other = co_await fetch(via_proxy("http://[fd00::7]/v1", proxy));
  });
  EXPECT_EQ(first.body, "ok");
  EXPECT_EQ(second.body, "ok");
  EXPECT_EQ(other.body, "ok");
  std::lock_guard lock(mutex);
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_TRUE(
      heads[0].starts_with("POST http://upstream.test:8080/v1/chat/completions HTTP/1.1\r\nHost: "
                           "upstream.test:8080\r\n"))
      << heads[0];
  EXPECT_NE(heads[0].find("\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"),
            std::string::npos)
      << heads[0];
  EXPECT_TRUE(heads[2].starts_with(
      "POST http://[fd00::7]/v1/chat/completions HTTP/1.1\r\nHost: [fd00::7]\r\n"))
      << heads[2];
  EXPECT_EQ(heads[2].find("Proxy-Authorization"), std::string::npos);
  // Pooled per (upstream, proxy): the second call to the same upstream reused the connection,
  // the call to another upstream through the same proxy did not.
  EXPECT_EQ(proxy.accepted(), 2);
}

TEST(UpstreamCallProxyTest, A407ToAForwardedRequestIsAConnectFailure) {
  LoopbackServer proxy([](Peer& peer) {
    if (peer.read_request())
      peer.write("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
  });
  Failure failure;
  run_client([&]() -> awaitable<void> {
    failure = co_await start_failure(via_proxy("http://upstream.test/v1", proxy));
  });
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::connect);
  EXPECT_NE(failure.message.find("refused to forward to upstream.test: 407"), std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("no credentials were sent"), std::string::npos);
}

TEST(UpstreamCallProxyTest, HttpsAsksForATunnelAndARefusalIsAConnectFailureWithItsStatus) {
  std::promise<std::string> head;
  LoopbackServer proxy([&](Peer& peer) {
    if (!peer.read_request()) return;
    head.set_value(peer.last_head());
    peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\ndenied");
  });
  Failure failure;
  run_client([&]() -> awaitable<void> {
    failure = co_await start_failure(via_proxy("https://api.example.test/v1", proxy, "u", "p"));
  });
  auto seen = head.get_future();
  ASSERT_EQ(seen.wait_for(kPatience), std::future_status::ready);
  EXPECT_EQ(seen.get(),
            "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n"
            "Proxy-Authorization: Basic dTpw\r\n\r\n");
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::connect);
  EXPECT_NE(failure.message.find("refused CONNECT api.example.test:443: 403 Forbidden"),
            std::string::npos)
      << failure.message;
}

TEST(UpstreamCallProxyTest, TheConnectTimeoutCoversTheConnectExchange) {
  LoopbackServer proxy([](Peer& peer) {
    if (peer.read_request()) peer.wait_for_client_close();  // never answers CONNECT
  });
  UpstreamTimeouts timeouts = short_timeouts();
  timeouts.connect = milliseconds{50};
  Failure failure;
  const auto begin = std::chrono::steady_clock::now();
  run_client([&]() -> awaitable<void> {
    failure = co_await start_failure(via_proxy("https://api.example.test/v1", proxy), timeouts);
  });
  EXPECT_LT(std::chrono::steady_clock::now() - begin, timeouts.first_byte);
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::connect);
  EXPECT_NE(failure.message.find("did not answer CONNECT api.example.test:443 within the connect "
                                 "timeout"),
            std::string::npos)
      << failure.message;
}

TEST(UpstreamCallProxyTest, BytesBeforeTheTlsHandshakeAreRefused) {
  LoopbackServer proxy([](Peer& peer) {
    if (!peer.read_request()) return;
    peer.write("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK\r\n");
    peer.wait_for_client_close();
  });
  Failure failure;
  run_client([&]() -> awaitable<void> {
    failure = co_await start_failure(via_proxy("https://api.example.test/v1", proxy));
  });
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::connect);
  EXPECT_NE(failure.message.find("before TLS began"), std::string::npos) << failure.message;
}

TEST(UpstreamCallProxyTest, AnUnreachableProxyIsAConnectFailureNamingIt) {
  UpstreamEndpoint endpoint = *UpstreamEndpoint::parse("https://api.example.test/v1");
  {
    LoopbackServer gone(answer_ok_forever);  // its port is free again once it is destroyed
    endpoint.proxy = core::ProxyUrl{"127.0.0.1", gone.endpoint().port, "", ""};
  }
  Failure failure;
  run_client([&]() -> awaitable<void> { failure = co_await start_failure(endpoint); });
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::connect);
  EXPECT_NE(failure.message.find("cannot connect to egress proxy 127.0.0.1:"), std::string::npos)
      << failure.message;
}

}  // namespace
}  // namespace sluice::http
