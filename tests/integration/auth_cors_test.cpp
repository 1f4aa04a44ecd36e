// API keys, roles and CORS against the real binary.
#include <boost/json/parse.hpp>
#include <cstring>
#include <thread>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

constexpr const char* kOrigin = "http://localhost:3000";

class AuthCorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = start_server(
                  {{"SLUICE_AUTH__API_KEYS__0__NAME", "ops"},
                   {"SLUICE_AUTH__API_KEYS__0__KEY", "sk-it-admin"},
                   {"SLUICE_AUTH__API_KEYS__0__ROLE", "admin"},
                   {"SLUICE_AUTH__API_KEYS__1__NAME", "app"},
                   {"SLUICE_AUTH__API_KEYS__1__KEY", "sk-it-user"},
                   {"SLUICE_AUTH__API_KEYS__2__NAME", "dashboard"},
                   {"SLUICE_AUTH__API_KEYS__2__KEY", "sk-it-reader"},
                   {"SLUICE_AUTH__API_KEYS__2__ROLE", "readonly"},
                   {"SLUICE_CORS__ALLOW_ORIGINS", "https://app.example.com,http://localhost:3000"},
                   {"SLUICE_CORS__ALLOW_CREDENTIALS", "true"}})
                  .release();
  }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }
  static HttpResponse request(std::string_view method, std::string_view target,
                              std::string_view headers = {}) {
    auto r = http_request(port(), method, target, {}, headers);
    EXPECT_TRUE(r) << method << " " << target;
    return r.value_or(HttpResponse{});
  }
  static SluiceProcess* server_;
};
SluiceProcess* AuthCorsTest::server_ = nullptr;

TEST_F(AuthCorsTest, ProbesStayOpen) {
  for (const char* path : {"/livez", "/readyz", "/health", "/health/live", "/metrics"})
    EXPECT_EQ(request("GET", path).status, 200) << path;
}

TEST_F(AuthCorsTest, MissingKeyIs401EvenForUnknownRoutes) {
  for (const char* target : {"/v1/nothing-here", "/v1/chat/completions", "/query"}) {
    auto r = request("POST", target);
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(r.header("www-authenticate"), "Bearer");
    EXPECT_NE(r.body.find(R"("message":"You didn't provide an API key.)"), std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find(R"("type":"invalid_request_error","param":null,"code":null)"),
              std::string::npos);
  }
}

TEST_F(AuthCorsTest, WrongKeyIs401InvalidApiKey) {
  auto r = request("GET", "/v1/models", "Authorization: Bearer sk-it-wrong\r\n");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find(R"("code":"invalid_api_key")"), std::string::npos) << r.body;
}

TEST_F(AuthCorsTest, ValidKeyReachesRouting) {
  auto bearer = request("GET", "/v1/nothing-here", "Authorization: Bearer sk-it-user\r\n");
  EXPECT_EQ(bearer.status, 404);
  EXPECT_NE(bearer.body.find(R"("code":"route_not_found")"), std::string::npos);
  EXPECT_EQ(request("GET", "/v1/nothing-here", "x-api-key: sk-it-user\r\n").status, 404);
}

TEST_F(AuthCorsTest, RolesAreEnforced) {
  auto readonly_post = request("POST", "/v1/collections", "Authorization: Bearer sk-it-reader\r\n");
  EXPECT_EQ(readonly_post.status, 403);
  EXPECT_NE(readonly_post.body.find("this API key is read-only"), std::string::npos);
  EXPECT_EQ(request("GET", "/v1/collections", "Authorization: Bearer sk-it-reader\r\n").status,
            200);
  EXPECT_EQ(request("GET", "/v1/admin/keys", "Authorization: Bearer sk-it-user\r\n").status, 403);
  EXPECT_EQ(request("GET", "/v1/admin/jobs", "Authorization: Bearer sk-it-user\r\n").status, 403);
  EXPECT_EQ(request("GET", "/v1/admin/jobs", "Authorization: Bearer sk-it-admin\r\n").status, 200);
  EXPECT_EQ(request("GET", "/v1/admin/keys", "Authorization: Bearer sk-it-admin\r\n").status, 200);
}

TEST_F(AuthCorsTest, KeyNameIsLoggedNeverTheKey) {
  request("GET", "/v1/models", "Authorization: Bearer sk-it-admin\r\nX-Request-Id: keyed-1\r\n");
  for (int i = 0; i < 200; ++i) {
    const auto out = server_->output();
    const auto at = out.find("\"request_id\":\"keyed-1\"");
    if (at != std::string::npos) {
      const auto line =
          out.substr(out.rfind('\n', at) + 1, out.find('\n', at) - out.rfind('\n', at) - 1);
      EXPECT_NE(line.find(R"("key_name":"ops")"), std::string::npos) << line;
      EXPECT_NE(line.find(R"("client":"127.0.0.1")"), std::string::npos) << line;
      EXPECT_NE(line.find(R"("user_agent":"")"), std::string::npos) << line;
      EXPECT_EQ(out.find("sk-it-"), std::string::npos) << "a key reached the log";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "no access log line for the request:\n" << server_->output();
}

TEST_F(AuthCorsTest, AllowedOriginGetsCorsHeadersEvenOn401) {
  auto r = request("GET", "/v1/models", std::string("Origin: ") + kOrigin + "\r\n");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("access-control-allow-origin"), kOrigin);
  EXPECT_EQ(r.header("access-control-allow-credentials"), "true");
  const std::string exposed = r.header("access-control-expose-headers");
  for (const char* name : {"x-request-id", "request-id", "anthropic-request-id", "retry-after"})
    EXPECT_NE(exposed.find(name), std::string::npos) << name << " in " << exposed;
  EXPECT_EQ(r.header("vary"), "Origin");
  auto probe = request("GET", "/livez", "Origin: https://app.example.com\r\n");
  EXPECT_EQ(probe.header("access-control-allow-origin"), "https://app.example.com");
}

TEST_F(AuthCorsTest, OtherOriginGetsNoCorsHeaders) {
  auto r = request("GET", "/livez", "Origin: https://evil.example\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
}

TEST_F(AuthCorsTest, PreflightAnsweredBeforeAuthAndRouting) {
  const std::string preflight = std::string("Origin: ") + kOrigin +
                                "\r\nAccess-Control-Request-Method: POST\r\n"
                                "Access-Control-Request-Headers: authorization, content-type\r\n";
  // /v1/chat/completions has no route yet, /livez has no OPTIONS handler (405 otherwise).
  for (const char* target : {"/v1/chat/completions", "/livez"}) {
    auto r = request("OPTIONS", target, preflight);
    EXPECT_EQ(r.status, 204) << target;
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.header("access-control-allow-origin"), kOrigin);
    EXPECT_EQ(r.header("access-control-allow-methods"), "GET, POST, DELETE, OPTIONS");
    EXPECT_EQ(r.header("access-control-allow-headers"), "authorization, content-type");
    EXPECT_EQ(r.header("access-control-max-age"), "600");
    EXPECT_EQ(r.header("access-control-allow-credentials"), "true");
  }
}

TEST_F(AuthCorsTest, PreflightFromOtherOriginIs403) {
  auto r = request("OPTIONS", "/v1/chat/completions",
                   "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find(R"("type":"permission_error")"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
}

// A preflight must not tell a stranger which routes exist: known and unknown paths, protected
// or not, get the same answer.
TEST_F(AuthCorsTest, PreflightIsAnsweredAlikeForKnownAndUnknownPaths) {
  const char* targets[] = {"/v1/chat/completions", "/v1/nothing-here", "/livez", "/no/such/path"};
  for (const char* target : targets) {
    auto allowed =
        request("OPTIONS", target,
                std::string("Origin: ") + kOrigin + "\r\nAccess-Control-Request-Method: POST\r\n");
    EXPECT_EQ(allowed.status, 204) << target;
    EXPECT_EQ(allowed.header("allow"), "") << target;
    auto other = request("OPTIONS", target,
                         "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
    EXPECT_EQ(other.status, 403) << target;
    EXPECT_EQ(other.header("allow"), "") << target;
    EXPECT_NE(other.body.find(R"("code":"cors_origin_not_allowed")"), std::string::npos);
  }
}

TEST_F(AuthCorsTest, InvalidUtf8OriginComesBackAsValidJson) {
  auto r = request("OPTIONS", "/v1/models",
                   "Origin: https://\xff\xfe.example\r\nAccess-Control-Request-Method: GET\r\n");
  EXPECT_EQ(r.status, 403);
  boost::system::error_code ec;
  const auto body = boost::json::parse(r.body, ec);
  ASSERT_FALSE(ec) << ec.message() << ": " << r.body;
  EXPECT_EQ(body.at("error").at("message").as_string(),
            "CORS: origin 'https://\xef\xbf\xbd\xef\xbf\xbd.example' is not allowed");
}

TEST_F(AuthCorsTest, FiltersCountWhatTheyDecideOnMetrics) {
  request("GET", "/v1/models");  // no key
  request("OPTIONS", "/livez",
          std::string("Origin: ") + kOrigin + "\r\nAccess-Control-Request-Method: GET\r\n");
  // Counted when each filter decides, before the response: a scrape sees them at once.
  const auto m = request("GET", "/metrics").body;
  EXPECT_NE(m.find("# TYPE sluice_filter_requests_total counter"), std::string::npos) << m;
  for (const char* series :
       {R"(sluice_filter_requests_total{filter="api_key",result="missing_key"})",
        R"(sluice_filter_requests_total{filter="cors",result="preflight"})",
        R"(sluice_filter_requests_total{filter="api_key",result="allowed"})"}) {
    const auto at = m.find(series);
    ASSERT_NE(at, std::string::npos) << series << "\n" << m;
    if (std::string_view(series).find("allowed") == std::string_view::npos)
      EXPECT_GE(std::atof(m.c_str() + at + std::strlen(series)), 1.0) << series;
  }
}

TEST(AuthWithoutCorsTest, PreflightRevealsNoRoutes) {
  auto server = start_server(
      {{"SLUICE_AUTH__API_KEYS__0__NAME", "app"}, {"SLUICE_AUTH__API_KEYS__0__KEY", "sk-it-user"}});
  std::optional<std::string> first_body;
  for (const char* target : {"/v1/chat/completions", "/v1/nothing-here", "/livez", "/nope"}) {
    auto r = http_request(server->port(), "OPTIONS", target, {},
                          "Origin: https://app.example.com\r\n"
                          "Access-Control-Request-Method: POST\r\n");
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 403) << target;
    EXPECT_EQ(r->header("allow"), "") << target;
    EXPECT_NE(r->body.find("configure cors.allow_origins"), std::string::npos) << r->body;
    if (!first_body) first_body = r->body;
    EXPECT_EQ(r->body, *first_body) << target;
  }
  // Anything else unauthenticated under /v1 still gets 401, route or not.
  for (const char* target : {"/v1/chat/completions", "/v1/nothing-here"})
    EXPECT_EQ(http_request(server->port(), "POST", target).value_or(HttpResponse{}).status, 401)
        << target;
}

TEST_F(AuthCorsTest, PlainOptionsStillNeedsAKey) {
  EXPECT_EQ(request("OPTIONS", "/v1/models").status, 401);
  EXPECT_EQ(request("OPTIONS", "/livez").status, 405);
}

}  // namespace
}  // namespace sluice::testing
