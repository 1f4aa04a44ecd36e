// Request framing (RFC 9112), bounded per-request buffers, and error bodies that stay valid JSON
// whatever bytes the client sends.
#include <boost/json/parse.hpp>
#include <fstream>
#include <thread>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

class FramingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = start_server().release(); }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }

  // Sends `request` raw; expects a 400 naming `reason`, then the connection closed.
  static void expect_400_and_close(const std::string& request, std::string_view reason) {
    HttpConnection c(port());
    ASSERT_TRUE(c.send_raw(request));
    auto r = c.read_response(5s);
    ASSERT_TRUE(r) << request;
    EXPECT_EQ(r->status, 400) << request;
    EXPECT_EQ(r->header("connection"), "close") << request;
    EXPECT_NE(r->body.find(reason), std::string::npos) << r->body;
    EXPECT_TRUE(c.wait_closed(5s)) << request;
  }
  static SluiceProcess* server_;
};
SluiceProcess* FramingTest::server_ = nullptr;

TEST_F(FramingTest, TransferEncodingMustBeChunkedOnly) {
  expect_400_and_close("POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc",
                       "transfer coding 'gzip' is not supported");
  expect_400_and_close(
      "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n",
      "transfer coding 'gzip' is not supported");
  // A coding before chunked would otherwise be skipped and its body read as plain.
  expect_400_and_close(
      "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n",
      "transfer coding 'gzip' is not supported");
}

TEST_F(FramingTest, TransferEncodingOnHttp10Is400) {
  expect_400_and_close(
      "POST /livez HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "Transfer-Encoding is not allowed in an HTTP/1.0 request");
}

TEST_F(FramingTest, ContentLengthWithTransferEncodingIs400) {
  // In this order the parser itself refuses; in the other it would read the body by length.
  expect_400_and_close(
      "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
      "both Content-Length and Transfer-Encoding");
  expect_400_and_close(
      "POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "abc",
      "both Content-Length and Transfer-Encoding");
  expect_400_and_close(
      "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
      "abc",
      "both Content-Length and Transfer-Encoding");
  HttpConnection c(port());  // one code whatever the order, as whichever check caught it
  ASSERT_TRUE(
      c.send_raw("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: "
                 "chunked\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find(R"("code":"bad_request_framing")"), std::string::npos) << r->body;
}

// Every error on /v1/messages is in Anthropic's shape, the ones found before the request was
// routed (a head too large, a control byte, bad framing) and a 405 included; OpenAI's routes
// keep OpenAI's.
TEST_F(FramingTest, ErrorsBeforeRoutingTakeTheRoutesShape) {
  const std::string body =
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
  const auto request = [&](std::string_view method, std::string_view path, std::string_view extra) {
    return std::string(method) + " " + std::string(path) +
           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + std::string(extra) +
           "\r\n" + body;
  };
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  const std::pair<int, std::string> cases[] = {
      {400, length + "Transfer-Encoding: chunked\r\n"},
      {431, "X-Big: " + std::string(20000, 'a') + "\r\n" + length},
      {400, "anthropic-version: \x01x\r\n" + length},
      {400, "Content-Length: -1\r\n"},
  };
  for (const char* path : {"/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions"}) {
    const bool anthropic = std::string_view(path).starts_with("/v1/messages");
    for (const auto& [status, extra] : cases) {
      HttpConnection c(port());
      ASSERT_TRUE(c.send_raw(request("POST", path, extra)));
      auto r = c.read_response(5s);
      ASSERT_TRUE(r) << path << " " << status;
      EXPECT_EQ(r->status, status) << path << ": " << r->body;
      EXPECT_EQ(r->body.starts_with(R"({"type":"error","error":{"type":)"), anthropic)
          << path << ": " << r->body;
      EXPECT_EQ(r->body.starts_with(R"({"error":{)"), !anthropic) << path << ": " << r->body;
    }
    auto wrong_method = http_request(port(), "GET", path);
    ASSERT_TRUE(wrong_method);
    EXPECT_EQ(wrong_method->status, 405);
    EXPECT_EQ(wrong_method->body.starts_with(R"({"type":"error","error":{"type":)"), anthropic)
        << path << ": " << wrong_method->body;
  }
}

TEST_F(FramingTest, Http11NeedsExactlyOneHost) {
  expect_400_and_close("GET /livez HTTP/1.1\r\n\r\n", "must carry a Host header");
  expect_400_and_close("GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                       "must carry one Host header, not 2");
  HttpConnection c(port());  // HTTP/1.0 predates Host: fine without it
  ASSERT_TRUE(c.send_raw("GET /livez HTTP/1.0\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// RFC 9112 section 3.2.2: a server must accept the absolute form, and routes by its path.
TEST_F(FramingTest, AbsoluteFormTargetIsServed) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("GET http://127.0.0.1/livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(FramingTest, InvalidUtf8InThePathComesBackAsValidJson) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("GET /caf\xc3\xa9/\xff\xfe/x\xe2\x82 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  boost::system::error_code ec;
  const auto body = boost::json::parse(r->body, ec);  // rejects invalid UTF-8
  ASSERT_FALSE(ec) << ec.message() << ": " << r->body;
  EXPECT_EQ(body.at("error").at("message").as_string(),
            "no route for GET /caf\xc3\xa9/\xef\xbf\xbd\xef\xbf\xbd/x\xef\xbf\xbd");
}

long long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::atoll(line.c_str() + 6);
  return -1;
}

// Sends `head` and then `filler` bytes of 'a' (the oversized part) from another thread while
// reading the answer: the server must answer without holding what it is sent.
void expect_bounded(int port, pid_t pid, const std::string& head, std::size_t filler) {
  const long long before = rss_kib(pid);
  ASSERT_GT(before, 0);
  HttpConnection c(port);
  std::thread sender([&] {
    if (!c.send_raw(head)) return;
    const std::string block(64 * 1024, 'a');
    for (std::size_t sent = 0; sent < filler; sent += block.size())
      if (!c.send_raw(block)) return;  // the server closed: expected
  });
  auto r = c.read_response(10s);
  sender.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("raise server.max_header_bytes"), std::string::npos) << r->body;
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_LT(rss_kib(pid) - before, 4 * 1024) << "RSS grew from " << before << " KiB";
}

TEST_F(FramingTest, HugeChunkExtensionIsRefusedWithoutBufferingIt) {
  expect_bounded(
      port(), server_->pid(),
      "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=", 10 << 20);
}

TEST_F(FramingTest, HugeTrailersAreRefusedWithoutBufferingThem) {
  expect_bounded(port(), server_->pid(),
                 "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "1\r\nz\r\n0\r\nX-Trailer: ",
                 10 << 20);
}

}  // namespace
}  // namespace sluice::testing
