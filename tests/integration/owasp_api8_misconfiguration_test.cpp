// OWASP API Security Top 10 (2023), API8 Security Misconfiguration: errors are OpenAI-shaped
// JSON that reveal no internals, unknown methods get 405 with Allow, the server names no
// software, CORS is off unless configured, and nothing a client sends is reflected into a
// response header unchecked.
#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

class OwaspApi8SecurityMisconfiguration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}}).release();
  }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }
  static std::optional<HttpResponse> send(const std::string& raw) {
    HttpConnection connection(port());
    if (!connection.send_raw(raw)) return std::nullopt;
    return connection.read_response();
  }
  static SluiceProcess* server_;
};
SluiceProcess* OwaspApi8SecurityMisconfiguration::server_ = nullptr;

// Words that only an internal error would put in a body.
bool reveals_internals(const std::string& body) {
  for (const char* word : {"std::", "boost", "exception", ".cpp", ".hpp", "/work/", "sqlite",
                           "what()", "terminate", "0x7f"})
    if (body.find(word) != std::string::npos) return true;
  return false;
}

TEST_F(OwaspApi8SecurityMisconfiguration, ErrorsAreOpenAiShapedAndRevealNoInternals) {
  const std::pair<std::string, std::string> requests[] = {
      {"/v1/collections", "{\"name\":"},
      {"/v1/collections", std::string(100, '[') + std::string(100, ']')},
      {"/v1/collections", "{\"name\":\"a\xff\"}"},
      {"/v1/collections", "[]"},
      {"/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[]}"},
      {"/v1/collections/none/documents", "{\"url\":\"http://127.0.0.1/\"}"},
      {"/v1/nothing-here", "{}"},
      {"/v1/query", "{\"question\":7}"},
  };
  for (const auto& [target, body] : requests) {
    auto response =
        http_request(port(), "POST", target, body, "Content-Type: application/json\r\n");
    ASSERT_TRUE(response) << target;
    EXPECT_GE(response->status, 400) << target << " " << body;
    EXPECT_LT(response->status, 500) << target << " " << body << ": " << response->body;
    EXPECT_EQ(response->header("content-type"), "application/json") << target;
    const JsonResponse parsed = call(port(), "POST", target, body);
    ASSERT_TRUE(parsed.body.contains("error")) << target << ": " << parsed.raw;
    const auto& error = parsed.body.at("error").as_object();
    for (const char* field : {"message", "type", "param", "code"})
      EXPECT_TRUE(error.contains(field)) << target << " lacks " << field << ": " << parsed.raw;
    EXPECT_FALSE(reveals_internals(response->body)) << target << ": " << response->body;
  }
}

TEST_F(OwaspApi8SecurityMisconfiguration, UnknownMethodsAre405WithTheAllowedOnes) {
  for (const char* method : {"PATCH", "PUT", "TRACE"}) {
    auto response = http_request(port(), method, "/v1/collections");
    ASSERT_TRUE(response) << method;
    EXPECT_EQ(response->status, 405) << method;
    EXPECT_NE(response->header("allow").find("GET"), std::string::npos) << method;
    EXPECT_NE(response->header("allow").find("POST"), std::string::npos) << method;
    EXPECT_FALSE(reveals_internals(response->body));
  }
}

TEST_F(OwaspApi8SecurityMisconfiguration, NoSoftwareBannerAndNoCorsUnlessConfigured) {
  auto response = http_request(port(), "GET", "/livez", {}, "Origin: https://evil.example\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  for (const char* header : {"server", "x-powered-by", "access-control-allow-origin",
                             "access-control-allow-credentials"})
    EXPECT_EQ(response->header(header), "") << header;
}

TEST_F(OwaspApi8SecurityMisconfiguration, ClientHeadersAreNotReflectedUnchecked) {
  auto own_id = http_request(port(), "GET", "/livez", {}, "X-Request-Id: trace-42.a_b:c\r\n");
  ASSERT_TRUE(own_id);
  EXPECT_EQ(own_id->header("x-request-id"), "trace-42.a_b:c");
  for (const char* id : {"<script>alert(1)</script>", "a b", "id;Set-Cookie=x"}) {
    auto replaced =
        http_request(port(), "GET", "/livez", {}, "X-Request-Id: " + std::string(id) + "\r\n");
    ASSERT_TRUE(replaced) << id;
    EXPECT_NE(replaced->header("x-request-id"), id);
    EXPECT_FALSE(replaced->header("x-request-id").empty());
  }
  // An obsolete line folding (a value continued on the next line) cannot smuggle a header out.
  auto folded = send(
      "GET /livez HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\r\n Injected: yes\r\n"
      "Connection: close\r\n\r\n");
  if (folded) {
    EXPECT_EQ(folded->header("injected"), "");
    EXPECT_NE(folded->header("x-request-id"), "abc\r\n Injected: yes");
  }
  auto bare_lf = send("GET /livez HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rInjected: yes\r\n\r\n");
  if (bare_lf) EXPECT_EQ(bare_lf->header("injected"), "");
}

}  // namespace
}  // namespace sluice::testing
