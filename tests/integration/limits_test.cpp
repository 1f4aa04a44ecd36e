// Request limits and timeouts: 413, 431, 408 (slowloris-safe), idle keep-alive, max connections.
#include <thread>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = start_server({{"SLUICE_SERVER__MAX_BODY_BYTES", "4KiB"},
                            {"SLUICE_SERVER__MAX_HEADER_BYTES", "2KiB"},
                            {"SLUICE_SERVER__HEADER_TIMEOUT", "1s"},
                            {"SLUICE_SERVER__BODY_TIMEOUT", "1s"},
                            {"SLUICE_SERVER__IDLE_TIMEOUT", "1s"}})
                  .release();
  }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }
  static SluiceProcess* server_;
};
SluiceProcess* LimitsTest::server_ = nullptr;

TEST_F(LimitsTest, DeclaredBodyOverLimitGets413BeforeUpload) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_NE(r->body.find("request body exceeds 4096 bytes (raise server.max_body_bytes)"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("invalid_request_error"), std::string::npos);
}

TEST_F(LimitsTest, ChunkedBodyOverLimitGets413) {
  HttpConnection c(port());
  std::string chunk(3000, 'a');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  std::string request = "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) request += std::string(size) + "\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(c.send_raw(request));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(LimitsTest, BodyWithinLimitReachesRouting) {
  auto r = http_request(port(), "POST", "/livez", std::string(4000, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);  // read whole, then routed: POST is not allowed on /livez
}

TEST_F(LimitsTest, HugeHeadersGet431) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(3000, 'b') +
                         "\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("request headers exceed 2048 bytes (raise server.max_header_bytes)"),
            std::string::npos)
      << r->body;
}

TEST_F(LimitsTest, SlowlorisGets408WhileOthersAreServed) {
  HttpConnection slow(port());
  ASSERT_TRUE(slow.send_raw("GET /livez HTTP/1.1\r\n"));
  const auto started = std::chrono::steady_clock::now();
  // Dribble a header byte every 200 ms: each read makes progress, but the whole head is late.
  std::thread dribbler([&] {
    for (int i = 0; i < 15; ++i) {
      std::this_thread::sleep_for(200ms);
      if (!slow.send_raw("X")) return;
    }
  });
  // Meanwhile the server keeps serving other clients promptly.
  for (int i = 0; i < 5; ++i) {
    auto r = http_request(port(), "GET", "/livez", {}, {}, 2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto r = slow.read_response(5s);
  const auto waited = std::chrono::steady_clock::now() - started;
  dribbler.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find("raise server.header_timeout"), std::string::npos) << r->body;
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);  // 1 s header timeout + the 250 ms deadline tick, with slack
}

TEST_F(LimitsTest, StalledBodyGets408) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find("raise server.body_timeout"), std::string::npos) << r->body;
}

TEST_F(LimitsTest, IdleKeepAliveConnectionIsClosedQuietly) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.read_response(5s));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed(5s));  // no 408 for a connection between requests: just closed
  EXPECT_GE(std::chrono::steady_clock::now() - started, 800ms);
}

TEST_F(LimitsTest, ConnectionWithNoRequestIsClosedAfterHeaderTimeout) {
  HttpConnection c(port());
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST(ConnectionLimitTest, OverLimitConnectionsGet503AndServerRecovers) {
  auto server =
      start_server({{"SLUICE_SERVER__MAX_CONNECTIONS", "2"}, {"SLUICE_SERVER__THREADS", "1"}});
  HttpConnection a(server->port()), b(server->port());
  ASSERT_TRUE(a.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(a.read_response(5s));
  ASSERT_TRUE(b.read_response(5s));
  HttpConnection c(server->port());
  auto rejected = c.read_response(5s);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 503);
  EXPECT_NE(rejected->body.find("connection limit (raise server.max_connections)"),
            std::string::npos);
  {
    HttpConnection closing(server->port());  // may be rejected too: both slots are taken
  }
  ASSERT_TRUE(a.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(a.read_response(5s));
  ASSERT_TRUE(a.wait_closed(5s));
  // A slot is free again once the server has seen the close.
  std::optional<HttpResponse> ok;
  for (int i = 0; i < 50 && (!ok || ok->status != 200); ++i) {
    ok = http_request(server->port(), "GET", "/livez", {}, {}, 2s);
    if (!ok || ok->status != 200) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto metrics = http_request(server->port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  const auto at = metrics->body.find("\nsluice_http_connections_rejected_total ");
  ASSERT_NE(at, std::string::npos) << metrics->body;
  EXPECT_GE(std::atof(metrics->body.c_str() + at + 40), 1.0);
}

}  // namespace
}  // namespace sluice::testing
