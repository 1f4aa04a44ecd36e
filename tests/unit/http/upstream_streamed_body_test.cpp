// UpstreamCall with a body produced while it is sent (UpstreamRequest::streamed_body), against a
// blocking loopback server that records what arrived.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "http/upstream_client.hpp"

namespace sluice::http {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;

// Serves one connection on its own thread with `serve`, blocking calls on the socket.
class OneConnectionServer {
 public:
  explicit OneConnectionServer(std::function<void(tcp::socket&)> serve)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, serve = std::move(serve)] {
      boost::system::error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      if (!ec) serve(socket);
    });
  }
  ~OneConnectionServer() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
  }
  UpstreamEndpoint endpoint() const {
    return *UpstreamEndpoint::parse("http://127.0.0.1:" +
                                    std::to_string(acceptor_.local_endpoint().port()));
  }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// Reads a request head; the rest of what arrived with it stays in `input`.
std::string read_head(tcp::socket& socket, std::string& input) {
  boost::system::error_code ec;
  const std::size_t end = asio::read_until(socket, asio::dynamic_buffer(input), "\r\n\r\n", ec);
  if (ec) return {};
  std::string head = input.substr(0, end);
  input.erase(0, end);
  return head;
}

// Reads until the client closes or `limit` bytes are in `input`.
void read_until_close(tcp::socket& socket, std::string& input, std::size_t limit = 1 << 24) {
  boost::system::error_code ec;
  char buffer[4096];
  while (!ec && input.size() < limit) {
    const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
    input.append(buffer, n);
  }
}

// Decodes a chunked body from `input` (reading more as needed); false when it is malformed or
// cut short.
bool read_chunked(tcp::socket& socket, std::string& input, std::string& body) {
  boost::system::error_code ec;
  for (;;) {
    const std::size_t line = asio::read_until(socket, asio::dynamic_buffer(input), "\r\n", ec);
    if (ec) return false;
    const std::size_t size = std::stoul(input.substr(0, line), nullptr, 16);
    input.erase(0, line);
    if (input.size() < size + 2)
      asio::read(socket, asio::dynamic_buffer(input),
                 asio::transfer_exactly(size + 2 - input.size()), ec);
    if (ec || input.compare(size, 2, "\r\n") != 0) return false;
    body.append(input, 0, size);
    input.erase(0, size + 2);
    if (size == 0) return true;
  }
}

void respond(tcp::socket& socket, std::string_view response) {
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(response), ec);
}

// A body of fixed pieces; optionally an error after `fail_after` of them.
class PieceBody final : public UpstreamBody {
 public:
  PieceBody(std::vector<std::string> pieces, bool declare_length, int fail_after = -1)
      : pieces_(std::move(pieces)), declare_length_(declare_length), fail_after_(fail_after) {}

  std::optional<std::uint64_t> length() const override {
    if (!declare_length_) return std::nullopt;
    std::uint64_t total = 0;
    for (const auto& p : pieces_) total += p.size();
    return total;
  }
  awaitable<Result<std::string_view>> next() override {
    if (fail_after_ >= 0 && taken_ == static_cast<std::size_t>(fail_after_))
      co_return make_error(Errc::payload_too_large, "the client's body is over the limit");
    if (taken_ == pieces_.size()) co_return std::string_view();
    co_return std::string_view(pieces_[taken_++]);
  }
  std::size_t taken() const { return taken_; }

 private:
  std::vector<std::string> pieces_;
  bool declare_length_;
  int fail_after_;
  std::size_t taken_ = 0;
};

void run_client(std::function<awaitable<void>()> scenario) {
  asio::io_context io;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(scenario), [&](std::exception_ptr e) { failure = e; });
  io.run();
  close_pooled_connections();
  if (failure) std::rethrow_exception(failure);
}

UpstreamTimeouts timeouts() {
  return {.connect = milliseconds{5'000},
          .first_byte = milliseconds{5'000},
          .idle = milliseconds{5'000},
          .total = milliseconds{20'000}};
}

struct Exchange {
  Status started;
  int status = 0;
  std::string body;
  core::AttemptOutcome outcome = core::AttemptOutcome::success;
};

Exchange send(const UpstreamEndpoint& endpoint, UpstreamBody& body) {
  Exchange out;
  run_client([&]() -> awaitable<void> {
    UpstreamCall call;
    UpstreamRequest request;
    request.target = "/v1/audio/transcriptions";
    request.headers = "Content-Type: multipart/form-data; boundary=b\r\n";
    request.streamed_body = &body;
    out.started = co_await call.start(endpoint, request, timeouts());
    if (out.started.ok()) {
      out.status = call.status();
      auto text = co_await call.read_all(1 << 20);
      if (text) out.body = *text;
    }
    out.outcome = call.outcome();
  });
  return out;
}

TEST(UpstreamStreamedBodyTest, SendsTheDeclaredLengthAndEveryPieceInOrder) {
  std::string head, received;
  OneConnectionServer server([&](tcp::socket& socket) {
    std::string input;
    head = read_head(socket, input);
    const std::size_t length = std::stoul(head.substr(head.find("Content-Length: ") + 16));
    boost::system::error_code ec;
    if (input.size() < length)
      asio::read(socket, asio::dynamic_buffer(input), asio::transfer_exactly(length - input.size()),
                 ec);
    received = input;
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  PieceBody body({"first ", std::string(100'000, 'x'), " last"}, true);
  const Exchange result = send(server.endpoint(), body);
  ASSERT_TRUE(result.started.ok()) << result.started.error().message;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok");
  EXPECT_NE(head.find("Content-Length: 100011\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(received, "first " + std::string(100'000, 'x') + " last");
}

TEST(UpstreamStreamedBodyTest, SendsABodyOfUnknownLengthChunked) {
  std::string head, received;
  bool whole = false;
  OneConnectionServer server([&](tcp::socket& socket) {
    std::string input;
    head = read_head(socket, input);
    whole = read_chunked(socket, input, received);
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  PieceBody body({"one", "two", std::string(70'000, 'z')}, false);
  const Exchange result = send(server.endpoint(), body);
  ASSERT_TRUE(result.started.ok()) << result.started.error().message;
  EXPECT_EQ(result.body, "ok");
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(whole);
  EXPECT_EQ(received, "onetwo" + std::string(70'000, 'z'));
}

// The client's side failed mid-body (over its limit, gone): the upstream never gets a whole
// request, and the call fails with the body's own error, not the upstream's fault.
TEST(UpstreamStreamedBodyTest, AFailingBodyEndsTheExchangeWithItsError) {
  std::string received;
  std::promise<void> served;
  OneConnectionServer server([&](tcp::socket& socket) {
    std::string input;
    read_head(socket, input);
    read_until_close(socket, input);
    received = input;
    served.set_value();
  });
  PieceBody body({"aaaa", "bbbb", "cccc"}, true, 2);
  const Exchange result = send(server.endpoint(), body);
  ASSERT_EQ(served.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  ASSERT_FALSE(result.started.ok());
  EXPECT_EQ(result.started.error().code, Errc::payload_too_large);
  EXPECT_EQ(result.outcome, core::AttemptOutcome::rejected);
  EXPECT_EQ(received, "aaaabbbb");  // declared 12 bytes: the upstream sees a cut request
}

// An upstream that resets mid-upload: the call fails as a reset, saying how far the body got.
TEST(UpstreamStreamedBodyTest, AnUpstreamResetMidUploadFailsAsReset) {
  OneConnectionServer server([&](tcp::socket& socket) {
    std::string input;
    read_head(socket, input);
    read_until_close(socket, input, 200'000);
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  });
  std::vector<std::string> pieces(200, std::string(64 * 1024, 'p'));  // 12.5 MiB
  PieceBody body(pieces, true);
  const Exchange result = send(server.endpoint(), body);
  ASSERT_FALSE(result.started.ok());
  EXPECT_EQ(result.outcome, core::AttemptOutcome::reset);
  EXPECT_EQ(result.started.error().code, Errc::bad_gateway);
  EXPECT_NE(result.started.error().message.find("stopped taking the request body"),
            std::string::npos)
      << result.started.error().message;
  EXPECT_LT(body.taken(), pieces.size());
}

// An upstream that answers before the body is whole (a 413 of its own) and reads the rest away:
// the client gets that answer.
TEST(UpstreamStreamedBodyTest, AnEarlyAnswerIsRead) {
  OneConnectionServer server([&](tcp::socket& socket) {
    std::string input;
    read_head(socket, input);
    respond(socket,
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo "
            "large");
    read_until_close(socket, input);
  });
  PieceBody body(std::vector<std::string>(20, std::string(4096, 'q')), true);
  const Exchange result = send(server.endpoint(), body);
  ASSERT_TRUE(result.started.ok()) << result.started.error().message;
  EXPECT_EQ(result.status, 413);
  EXPECT_EQ(result.body, "too large");
}

// `server` as the egress proxy of a plain-http upstream: requests go to it in absolute form.
UpstreamEndpoint through_proxy(const OneConnectionServer& server) {
  UpstreamEndpoint endpoint = *UpstreamEndpoint::parse("http://upstream.test/v1");
  const UpstreamEndpoint at = server.endpoint();
  endpoint.proxy = core::ProxyUrl{at.host, at.port, "", ""};
  return endpoint;
}

// A forwarding proxy refuses a request (407) only once it has its head: the body waits for 100
// Continue, so that a refusal takes none of it and another deployment can still send it whole.
TEST(UpstreamStreamedBodyTest, AProxysRefusalBeforeTheBodyTakesNoneOfIt) {
  std::promise<std::string> head_seen;
  OneConnectionServer proxy([&](tcp::socket& socket) {
    std::string input;
    head_seen.set_value(read_head(socket, input));
    respond(socket,
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n"
            "Content-Length: 0\r\n\r\n");
    read_until_close(socket, input);
  });
  PieceBody body({"aaaa", "bbbb"}, true);
  const Exchange result = send(through_proxy(proxy), body);
  ASSERT_FALSE(result.started.ok());
  EXPECT_EQ(result.outcome, core::AttemptOutcome::connect);
  EXPECT_NE(result.started.error().message.find("407"), std::string::npos);
  EXPECT_EQ(body.taken(), 0u) << "the body was taken for a request the proxy refused";
  auto head = head_seen.get_future();
  ASSERT_EQ(head.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const std::string seen = head.get();
  EXPECT_NE(seen.find("POST http://upstream.test/v1/audio/transcriptions HTTP/1.1\r\n"),
            std::string::npos)
      << seen;
  EXPECT_NE(seen.find("Expect: 100-continue\r\n"), std::string::npos) << seen;
}

// Accepted, the body follows the 100 Continue whole, and the answer after it is the response.
TEST(UpstreamStreamedBodyTest, ThroughAProxyTheBodyFollows100Continue) {
  std::string received;
  OneConnectionServer proxy([&](tcp::socket& socket) {
    std::string input;
    read_head(socket, input);
    respond(socket, "HTTP/1.1 100 Continue\r\n\r\n");
    read_until_close(socket, input, 8);
    received = input;
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  PieceBody body({"aaaa", "bbbb"}, true);
  const Exchange result = send(through_proxy(proxy), body);
  ASSERT_TRUE(result.started.ok()) << result.started.error().message;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok");
  EXPECT_EQ(received, "aaaabbbb");
}

// A proxy (or an upstream behind it) that never answers 100 Continue gets the body after a short
// wait all the same (RFC 9110 10.1.1), and a late 100 before the answer is skipped.
TEST(UpstreamStreamedBodyTest, ThroughAProxyThatIsSilentTheBodyGoesAfterAWait) {
  std::string received;
  OneConnectionServer proxy([&](tcp::socket& socket) {
    std::string input;
    read_head(socket, input);
    read_until_close(socket, input, 8);
    received = input;
    respond(socket, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  PieceBody body({"aaaa", "bbbb"}, true);
  const auto started = std::chrono::steady_clock::now();
  const Exchange result = send(through_proxy(proxy), body);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.started.ok()) << result.started.error().message;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok");
  EXPECT_EQ(received, "aaaabbbb");
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::seconds(3));
}

// Direct, nothing waits: the head asks for no 100 Continue.
TEST(UpstreamStreamedBodyTest, DirectTheBodyFollowsTheHeadAtOnce) {
  std::string head;
  OneConnectionServer server([&](tcp::socket& socket) {
    std::string input;
    head = read_head(socket, input);
    read_until_close(socket, input, 4);
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  PieceBody body({"abcd"}, true);
  const auto started = std::chrono::steady_clock::now();
  const Exchange result = send(server.endpoint(), body);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  ASSERT_TRUE(result.started.ok()) << result.started.error().message;
  EXPECT_EQ(head.find("Expect:"), std::string::npos) << head;
}

}  // namespace
}  // namespace sluice::http
