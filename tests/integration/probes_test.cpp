// Probes, routing errors, request ids and keep-alive against the real binary.
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

class ProbesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = start_server().release(); }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }
  static SluiceProcess* server_;
};
SluiceProcess* ProbesTest::server_ = nullptr;

TEST_F(ProbesTest, LivezAndAliases) {
  for (const char* path : {"/livez", "/health/live"}) {
    auto r = http_request(port(), "GET", path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, R"({"status":"ok"})");
  }
  auto health = http_request(port(), "GET", "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find(R"("status":"healthy")"), std::string::npos);
  EXPECT_NE(health->body.find(R"("version":")"), std::string::npos);
}

TEST_F(ProbesTest, ReadyzAndVerbose) {
  for (const char* path : {"/readyz", "/health/ready"}) {
    auto r = http_request(port(), "GET", path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"status":"ready"})");
  }
  auto verbose = http_request(port(), "GET", "/readyz?verbose");
  ASSERT_TRUE(verbose);
  EXPECT_EQ(verbose->status, 200);
  EXPECT_NE(verbose->body.find(R"({"name":"startup","ok":true})"), std::string::npos)
      << verbose->body;
  EXPECT_NE(verbose->body.find(R"({"name":"shutdown","ok":true})"), std::string::npos);
}

TEST_F(ProbesTest, HeadHasNoBody) {
  HttpConnection c(port());
  ASSERT_TRUE(
      c.send_raw("HEAD /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.read_response(std::chrono::seconds(10), true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "15");
  auto get = c.read_response();  // the next response must start right after the head
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, R"({"status":"ok"})");
}

TEST_F(ProbesTest, NotFoundInOpenAiShape) {
  auto r = http_request(port(), "GET", "/v1/nothing-here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_NE(r->body.find(R"("type":"not_found_error")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("message":"no route for GET /v1/nothing-here")"), std::string::npos);
  EXPECT_NE(r->body.find(R"("param":null)"), std::string::npos);
}

TEST_F(ProbesTest, MethodNotAllowedWithAllowHeader) {
  auto r = http_request(port(), "DELETE", "/livez");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
  EXPECT_NE(r->body.find(R"("type":"invalid_request_error")"), std::string::npos);
  EXPECT_NE(r->body.find(R"("code":"method_not_allowed")"), std::string::npos);
}

TEST_F(ProbesTest, RequestIdHonouredOrGenerated) {
  auto honoured = http_request(port(), "GET", "/livez", {}, "X-Request-Id: client-id-42\r\n");
  ASSERT_TRUE(honoured);
  EXPECT_EQ(honoured->header("x-request-id"), "client-id-42");
  auto replaced = http_request(port(), "GET", "/livez", {}, "X-Request-Id: bad id with spaces\r\n");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->header("x-request-id").rfind("req_", 0), 0u);
  auto generated = http_request(port(), "GET", "/nope");
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->header("x-request-id").size(), 28u);
}

TEST_F(ProbesTest, TraceIdFromTraceparentIsLogged) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto r = http_request(
      port(), "GET", "/health", {},
      "traceparent: 00-" + trace + "-00f067aa0ba902b7-01\r\nX-Request-Id: traced-1\r\n");
  ASSERT_TRUE(r);
  // The access log line carries the caller's trace id and our request id.
  for (int i = 0; i < 200; ++i) {
    const auto out = server_->output();
    const auto at = out.find("\"request_id\":\"traced-1\"");
    if (at != std::string::npos) {
      const auto line_end = out.find('\n', at);
      const auto line_start = out.rfind('\n', at) + 1;
      const auto line = out.substr(line_start, line_end - line_start);
      EXPECT_NE(line.find("\"trace_id\":\"" + trace + "\""), std::string::npos) << line;
      EXPECT_NE(line.find("\"route\":\"/health\""), std::string::npos) << line;
      EXPECT_NE(line.find("\"status\":200"), std::string::npos) << line;
      EXPECT_NE(line.find("\"duration_ms\":"), std::string::npos) << line;
      EXPECT_NE(line.find("\"level\":\"info\""), std::string::npos) << line;
      EXPECT_NE(line.find("\"ts\":\""), std::string::npos) << line;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "no access log line for the request:\n" << server_->output();
}

TEST_F(ProbesTest, KeepAliveAndPipelining) {
  HttpConnection c(port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 20; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << "response " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->header("connection").empty());
  }
  ASSERT_TRUE(c.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto last = c.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(5)));
}

TEST_F(ProbesTest, MalformedRequestGets400) {
  HttpConnection c(port());
  ASSERT_TRUE(c.send_raw("GET /livez HTTP/1.1\r\nBad Header Without Colon\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("invalid_request_error"), std::string::npos);
}

}  // namespace
}  // namespace sluice::testing
