// The built-in status page (/ui) through the real binary: served from the binary with its types
// and security headers, open like /metrics when API keys are on, revalidated with ETags, and
// absent when turned off.
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

constexpr const char* kAdminKey = "sk-status-page-admin";

TEST(StatusPageTest, ServesThePageWithoutAKeyWhileTheApiNeedsOne) {
  auto server = start_server({{"SLUICE_AUTH__ADMIN_KEY", kAdminKey}});
  auto api = http_request(server->port(), "GET", "/v1/models");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);  // authentication is on

  auto page = http_request(server->port(), "GET", "/ui");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find(R"(<meta name="sluice-metrics-path" content="/metrics">)"),
            std::string::npos)
      << page->body;
  EXPECT_NE(page->header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(page->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(http_request(server->port(), "GET", "/ui/")->body, page->body);

  auto script = http_request(server->port(), "GET", "/ui/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script->body.find("metricsPath"), std::string::npos);
  EXPECT_EQ(http_request(server->port(), "GET", "/ui/style.css")->header("content-type"),
            "text/css; charset=utf-8");
  EXPECT_EQ(http_request(server->port(), "GET", "/metrics")->status, 200);
}

TEST(StatusPageTest, RevalidatesWithTheETag) {
  auto server = start_server();
  auto first = http_request(server->port(), "GET", "/ui/app.js");
  ASSERT_TRUE(first);
  const std::string etag = first->header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first->header("cache-control"), "no-cache");
  auto again =
      http_request(server->port(), "GET", "/ui/app.js", {}, "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->body, "");
  EXPECT_EQ(again->header("etag"), etag);
  EXPECT_EQ(again->header("content-length"), "");
  auto changed = http_request(server->port(), "GET", "/ui/app.js", {}, "If-None-Match: \"x\"\r\n");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, first->body);
}

TEST(StatusPageTest, HeadSendsTheHeadersWithoutTheBody) {
  auto server = start_server();
  auto get = http_request(server->port(), "GET", "/ui/style.css");
  ASSERT_TRUE(get);
  HttpConnection connection(server->port());
  ASSERT_TRUE(connection.send_raw("HEAD /ui/style.css HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = connection.read_response(std::chrono::seconds(10), /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->header("content-length"), std::to_string(get->body.size()));
  EXPECT_EQ(head->header("etag"), get->header("etag"));
  // The connection carries on with the next request: no stray body bytes were sent.
  ASSERT_TRUE(connection.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto next = connection.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, R"({"status":"ok"})");
}

TEST(StatusPageTest, UnknownPathsUnderUiAreApiShaped404s) {
  auto server = start_server();
  for (const char* path : {"/ui/nope.js", "/ui/app.js/more", "/ui/assets/app.js"}) {
    auto r = http_request(server->port(), "GET", path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->header("content-type"), "application/json") << path;
    EXPECT_NE(r->body.find(R"("code":"route_not_found")"), std::string::npos) << r->body;
  }
}

TEST(StatusPageTest, FollowsTheMetricsPath) {
  auto server = start_server({{"SLUICE_METRICS__PATH", "/internal/metrics"}});
  auto page = http_request(server->port(), "GET", "/ui");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find(R"(content="/internal/metrics")"), std::string::npos) << page->body;
}

TEST(StatusPageTest, IsOffWithUiOrMetricsOff) {
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"SLUICE_UI__ENABLED", "false"}, {"SLUICE_METRICS__ENABLED", "false"}}) {
    auto server = start_server({{key, value}});
    for (const char* path : {"/ui", "/ui/app.js"}) {
      auto r = http_request(server->port(), "GET", path);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 404) << key << " " << path;
    }
  }
}

}  // namespace
}  // namespace sluice::testing
