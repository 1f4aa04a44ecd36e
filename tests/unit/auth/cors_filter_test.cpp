#include "auth/cors_filter.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

using namespace std::chrono_literals;

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return {};
}

core::CorsConfig config(std::vector<std::string> origins, bool credentials = false) {
  core::CorsConfig c;
  c.allow_origins = std::move(origins);
  c.allow_credentials = credentials;
  c.max_age = 600s;
  return c;
}

class CorsFilterTest : public ::testing::Test {
 protected:
  // Runs the filter (and its on_response, when the request proceeds) on a fresh exchange.
  bool run(CorsFilter& filter, std::string_view method, std::vector<http::HeaderView> headers) {
    exchange_ = std::make_unique<http::Exchange>();
    exchange_->request.method = method;
    exchange_->request.path = "/v1/chat/completions";
    exchange_->request.headers = std::move(headers);
    const bool proceed = filter.on_request_now(*exchange_) == http::FilterResult::next;
    if (proceed) filter.on_response(*exchange_);
    return proceed;
  }
  const http::Response& response() const { return exchange_->response; }

  std::unique_ptr<http::Exchange> exchange_;
};

TEST_F(CorsFilterTest, FactorySkipsWhenNoOrigins) {
  EXPECT_EQ(make_cors_filter(config({})), nullptr);
  EXPECT_NE(make_cors_filter(config({"*"})), nullptr);
}

TEST_F(CorsFilterTest, AllowedOriginGetsHeaders) {
  CorsFilter filter(config({"https://app.example.com", "http://localhost:3000"}));
  EXPECT_TRUE(run(filter, "POST", {{"Origin", "https://app.example.com"}}));
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(header(response(), "Vary"), "Origin");
  const std::string exposed = header(response(), "Access-Control-Expose-Headers");
  for (const char* name : {"x-request-id", "request-id", "anthropic-request-id",
                           "x-sluice-deployment", "retry-after", "x-ratelimit-remaining-requests"})
    EXPECT_NE(exposed.find(name), std::string::npos) << name << " in " << exposed;
  EXPECT_EQ(header(response(), "Access-Control-Allow-Credentials"), "");
  EXPECT_EQ(response().headers.size(), 3u);  // on_response added nothing twice
}

TEST_F(CorsFilterTest, OriginMatchIsCaseInsensitiveAndEchoesTheRequest) {
  CorsFilter filter(config({"https://app.example.com"}));
  EXPECT_TRUE(run(filter, "GET", {{"origin", "HTTPS://App.Example.com"}}));
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "HTTPS://App.Example.com");
}

TEST_F(CorsFilterTest, OtherOriginsProceedWithoutCorsHeaders) {
  CorsFilter filter(config({"https://app.example.com"}));
  for (const char* origin : {"https://evil.example.com", "https://app.example.com:8443",
                             "http://app.example.com", "null"}) {
    EXPECT_TRUE(run(filter, "GET", {{"Origin", origin}})) << origin;
    EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "") << origin;
    EXPECT_EQ(header(response(), "Vary"), "Origin");  // still keyed by Origin in caches
  }
  EXPECT_TRUE(run(filter, "GET", {}));
  EXPECT_EQ(header(response(), "Vary"), "Origin");
  EXPECT_EQ(response().headers.size(), 1u);
}

TEST_F(CorsFilterTest, WildcardWithoutCredentialsAnswersStar) {
  CorsFilter filter(config({"*"}));
  EXPECT_TRUE(run(filter, "GET", {{"Origin", "https://anything.example"}}));
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(response(), "Vary"), "");  // the answer is the same for every origin
}

TEST_F(CorsFilterTest, CredentialsEchoTheOrigin) {
  CorsFilter filter(config({"*"}, true));
  EXPECT_TRUE(run(filter, "GET", {{"Origin", "https://anything.example"}}));
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "https://anything.example");
  EXPECT_EQ(header(response(), "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(header(response(), "Vary"), "Origin");
  EXPECT_TRUE(run(filter, "GET", {{"Origin", "null"}}));  // sandboxed frames get no credentials
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "");
}

TEST_F(CorsFilterTest, PreflightFromAllowedOriginAnswers204) {
  CorsFilter filter(config({"http://localhost:3000"}, true));
  EXPECT_FALSE(
      run(filter, "OPTIONS",
          {{"Origin", "http://localhost:3000"},
           {"Access-Control-Request-Method", "POST"},
           {"Access-Control-Request-Headers", "authorization, content-type, x-stainless-os"}}));
  EXPECT_EQ(response().status, 204);
  EXPECT_EQ(response().body, "");
  EXPECT_EQ(response().content_type, "");
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(header(response(), "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(header(response(), "Access-Control-Allow-Methods"), "GET, POST, DELETE, OPTIONS");
  EXPECT_EQ(header(response(), "Access-Control-Allow-Headers"),
            "authorization, content-type, x-stainless-os");
  EXPECT_EQ(header(response(), "Access-Control-Max-Age"), "600");
}

TEST_F(CorsFilterTest, PreflightFromOtherOriginGets403WithoutCorsHeaders) {
  CorsFilter filter(config({"http://localhost:3000"}));
  EXPECT_FALSE(
      run(filter, "OPTIONS",
          {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}}));
  EXPECT_EQ(response().status, 403);
  EXPECT_NE(response().body.find(R"("type":"permission_error")"), std::string::npos);
  EXPECT_NE(response().body.find(R"("code":"cors_origin_not_allowed")"), std::string::npos);
  EXPECT_EQ(header(response(), "Access-Control-Allow-Origin"), "");
  EXPECT_EQ(header(response(), "Access-Control-Allow-Methods"), "");
}

TEST_F(CorsFilterTest, PlainOptionsIsNotAPreflight) {
  CorsFilter filter(config({"http://localhost:3000"}));
  EXPECT_TRUE(run(filter, "OPTIONS", {{"Origin", "http://localhost:3000"}}));
  EXPECT_EQ(response().status, 200);  // left to the router (405)
}

TEST_F(CorsFilterTest, AfterRestoresHeadersOnAReplacedResponse) {
  CorsFilter filter(config({"http://localhost:3000"}));
  http::Exchange exchange;
  exchange.request.method = "GET";
  exchange.request.headers = {{"Origin", "http://localhost:3000"}};
  ASSERT_EQ(filter.on_request_now(exchange), http::FilterResult::next);
  exchange.response = http::Response{};  // as the 500 path does
  exchange.response.set_error(make_error(Errc::internal, "boom"));
  filter.on_response(exchange);
  EXPECT_EQ(header(exchange.response, "Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(header(exchange.response, "Vary"), "Origin");
}

}  // namespace
}  // namespace sluice::auth
