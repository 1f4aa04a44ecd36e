#include "api/ui_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <regex>
#include <set>

namespace sluice::api {
namespace {

const UiAsset kAssets[] = {
    {"app.js", "export const x = 1;\n"},
    {"index.html", R"(<meta name="sluice-metrics-path" content="__METRICS_PATH__">)"},
    {"logo.svg", "<svg/>"},
    {"style.css", "body{}"},
};

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return "";
}

class UiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { register_ui_routes(router_, "/metrics", kAssets); }

  // GET (or HEAD) `path` with an optional If-None-Match; fails the test when no route matches.
  http::Response get(const std::string& path, std::string_view if_none_match = {},
                     std::string_view method = "GET") {
    http::Exchange exchange;
    exchange.request.method = method;
    exchange.request.path = path;
    if (!if_none_match.empty())
      exchange.request.headers.push_back({"if-none-match", if_none_match});
    auto match = router_.match(method, path, exchange.request.params);
    EXPECT_EQ(match.outcome, http::Router::Outcome::found) << path;
    if (match.outcome != http::Router::Outcome::found) return {};
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(io, (*match.handler)(exchange), boost::asio::use_future);
    io.run();
    done.get();
    return exchange.response;
  }

  http::Router router_;
};

TEST_F(UiRoutesTest, ServesTheIndexAtUiAndUiSlashWithTheMetricsPath) {
  for (const std::string path : {"/ui", "/ui/", "/ui/index.html"}) {
    const auto response = get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(response.body, R"(<meta name="sluice-metrics-path" content="/metrics">)") << path;
  }
}

TEST_F(UiRoutesTest, EachAssetHasItsContentType) {
  EXPECT_EQ(get("/ui/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/ui/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get("/ui/logo.svg").content_type, "image/svg+xml");
  EXPECT_EQ(get("/ui/app.js").body, "export const x = 1;\n");
  EXPECT_EQ(ui_content_type("a.png"), "image/png");
  EXPECT_EQ(ui_content_type("a.json"), "application/json");
  EXPECT_EQ(ui_content_type("README"), "application/octet-stream");
}

TEST_F(UiRoutesTest, SendsSecurityAndCacheHeaders) {
  const auto response = get("/ui/app.js");
  EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(response, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(response, "Referrer-Policy"), "no-referrer");
  const std::string csp = header(response, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_TRUE(std::regex_match(header(response, "ETag"), std::regex(R"("[0-9a-f]{16}")")))
      << header(response, "ETag");
}

TEST_F(UiRoutesTest, AMatchingIfNoneMatchGets304WithoutABody) {
  const std::string etag = header(get("/ui/app.js"), "ETag");
  for (const std::string& condition : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    const auto response = get("/ui/app.js", condition);
    EXPECT_EQ(response.status, 304) << condition;
    EXPECT_EQ(response.body, "") << condition;
    EXPECT_EQ(header(response, "ETag"), etag) << condition;
  }
  EXPECT_EQ(get("/ui/app.js", "\"other\"").status, 200);
  EXPECT_EQ(get("/ui/app.js", "\"other\"").body, "export const x = 1;\n");
}

TEST_F(UiRoutesTest, EtagsFollowTheContent) {
  EXPECT_NE(header(get("/ui/app.js"), "ETag"), header(get("/ui/style.css"), "ETag"));
  EXPECT_EQ(header(get("/ui"), "ETag"), header(get("/ui/index.html"), "ETag"));
  // The index carries the metrics path: another path is another page.
  http::Router moved;
  register_ui_routes(moved, "/internal/metrics", kAssets);
  std::vector<std::pair<std::string_view, std::string_view>> params;
  http::Exchange exchange;
  exchange.request.method = "GET";
  auto match = moved.match("GET", "/ui", params);
  ASSERT_EQ(match.outcome, http::Router::Outcome::found);
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, (*match.handler)(exchange), boost::asio::use_future);
  io.run();
  done.get();
  EXPECT_NE(exchange.response.body.find(R"(content="/internal/metrics")"), std::string::npos);
  EXPECT_NE(header(exchange.response, "ETag"), header(get("/ui"), "ETag"));
}

TEST_F(UiRoutesTest, EscapesTheMetricsPathInHtml) {
  http::Router router;
  register_ui_routes(router, R"(/m"><script>x</script>&)", kAssets);
  std::vector<std::pair<std::string_view, std::string_view>> params;
  http::Exchange exchange;
  auto match = router.match("GET", "/ui", params);
  ASSERT_EQ(match.outcome, http::Router::Outcome::found);
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, (*match.handler)(exchange), boost::asio::use_future);
  io.run();
  done.get();
  EXPECT_EQ(
      exchange.response.body,
      R"(<meta name="sluice-metrics-path" content="/m&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;">)");
}

TEST_F(UiRoutesTest, OtherPathsUnderUiAreNotRoutes) {
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (const char* path : {"/ui/nope.js", "/ui/app.js/x", "/ui//app.js", "/uix", "/ui/APP.JS"})
    EXPECT_EQ(router_.match("GET", path, params).outcome, http::Router::Outcome::not_found) << path;
  // HEAD is served by the GET route (the connection leaves the body out); nothing else is.
  EXPECT_EQ(get("/ui/app.js", {}, "HEAD").status, 200);
  EXPECT_EQ(router_.match("POST", "/ui/app.js", params).outcome,
            http::Router::Outcome::method_not_allowed);
}

TEST(UiRoutePathsTest, ListsEveryServedPath) {
  EXPECT_EQ(ui_route_paths(kAssets),
            (std::vector<std::string>{"/ui/app.js", "/ui", "/ui/", "/ui/index.html", "/ui/logo.svg",
                                      "/ui/style.css"}));
}

TEST(EtagMatchesTest, FollowsWeakComparison) {
  EXPECT_TRUE(etag_matches(R"("a")", R"("a")"));
  EXPECT_TRUE(etag_matches(R"( W/"a" )", R"("a")"));
  EXPECT_TRUE(etag_matches(R"("b","a")", R"("a")"));
  EXPECT_TRUE(etag_matches("*", R"("a")"));
  EXPECT_FALSE(etag_matches("", R"("a")"));
  EXPECT_FALSE(etag_matches(R"("ab")", R"("a")"));
  EXPECT_FALSE(etag_matches(R"(a)", R"("a")"));
  EXPECT_FALSE(etag_matches(",", R"("a")"));
}

// The page as built: every file index.html and the scripts reference is embedded.
TEST(EmbeddedUiAssetsTest, HoldEveryFileThePageReferences) {
  std::set<std::string> names;
  std::string_view index;
  for (const UiAsset& asset : ui_assets()) {
    names.emplace(asset.name);
    if (asset.name == "index.html") index = asset.bytes;
    EXPECT_FALSE(asset.bytes.empty()) << asset.name;
  }
  ASSERT_FALSE(index.empty());
  EXPECT_NE(index.find("__METRICS_PATH__"), std::string_view::npos);
  EXPECT_TRUE(names.contains("app.js"));
  const std::string html(index);
  const std::regex reference(R"re((?:src|href)="/ui/([^"]+)")re");
  int references = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), reference), end; it != end; ++it) {
    EXPECT_TRUE(names.contains((*it)[1].str())) << (*it)[1].str();
    ++references;
  }
  EXPECT_GE(references, 3);
  const std::regex import(R"re(from '\./([^']+)')re");
  for (const UiAsset& asset : ui_assets()) {
    if (!asset.name.ends_with(".js")) continue;
    const std::string script(asset.bytes);
    for (std::sregex_iterator it(script.begin(), script.end(), import), end; it != end; ++it)
      EXPECT_TRUE(names.contains((*it)[1].str())) << asset.name << " imports " << (*it)[1].str();
  }
  // No inline script: the Content-Security-Policy would block it.
  EXPECT_EQ(html.find("<script>"), std::string::npos);
}

}  // namespace
}  // namespace sluice::api
