#include "auth/api_key_filter.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return {};
}

class ApiKeyFilterTest : public ::testing::Test {
 protected:
  ApiKeyFilterTest()
      : filter_({{"ops", "sk-admin-key", "admin"},
                 {"app", "sk-user-key", "user"},
                 {"", "sk-reader-key", "readonly"}}) {}

  // Runs the filter on a fresh exchange; true if the request may proceed to its handler.
  bool run(std::string_view method, std::string_view path,
           std::vector<http::HeaderView> headers = {}, std::string_view route = "unmatched") {
    exchange_ = std::make_unique<http::Exchange>();
    exchange_->request.method = method;
    exchange_->request.path = path;
    exchange_->request.headers = std::move(headers);
    exchange_->route = route;
    return filter_.on_request_now(*exchange_) == http::FilterResult::next;
  }
  const http::Response& response() const { return exchange_->response; }

  ApiKeyFilter filter_;
  std::unique_ptr<http::Exchange> exchange_;
};

TEST_F(ApiKeyFilterTest, GuardsV1AndQueryOnly) {
  EXPECT_TRUE(requires_api_key("/v1/chat/completions"));
  EXPECT_TRUE(requires_api_key("/v1"));
  EXPECT_TRUE(requires_api_key("/v1/admin/keys"));
  EXPECT_TRUE(requires_api_key("/query"));
  EXPECT_FALSE(requires_api_key("/v10/models"));
  EXPECT_FALSE(requires_api_key("/queryx"));
  EXPECT_FALSE(requires_api_key("/livez"));
  EXPECT_FALSE(requires_api_key("/metrics"));
  EXPECT_FALSE(requires_api_key("unmatched"));
}

TEST_F(ApiKeyFilterTest, ProbesNeedNoKey) {
  for (const char* path : {"/livez", "/readyz", "/health", "/health/ready", "/metrics"}) {
    EXPECT_TRUE(run("GET", path, {}, path)) << path;
    EXPECT_EQ(response().status, 200) << path;
  }
}

TEST_F(ApiKeyFilterTest, MissingKeyGets401InOpenAiShape) {
  EXPECT_FALSE(run("POST", "/v1/chat/completions", {}, "/v1/chat/completions"));
  EXPECT_EQ(response().status, 401);
  EXPECT_EQ(response().content_type, "application/json");
  EXPECT_EQ(response().body,
            R"({"error":{"message":"You didn't provide an API key. You need to provide your API )"
            R"(key in an Authorization header using Bearer auth (i.e. Authorization: Bearer )"
            R"(YOUR_KEY).","type":"invalid_request_error","param":null,"code":null}})");
  EXPECT_EQ(header(response(), "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(exchange_->log_fields, R"(,"auth_error":"missing_key")");
}

TEST_F(ApiKeyFilterTest, NonBearerOrEmptyAuthorizationCountsAsMissing) {
  EXPECT_FALSE(run("GET", "/v1/models", {{"Authorization", "Basic dXNlcjpwYXNz"}}));
  EXPECT_EQ(response().status, 401);
  EXPECT_NE(response().body.find(R"("code":null)"), std::string::npos);
  EXPECT_FALSE(run("GET", "/v1/models", {{"Authorization", "Bearer "}}));
  EXPECT_NE(response().body.find(R"("code":null)"), std::string::npos);
}

TEST_F(ApiKeyFilterTest, WrongKeyGets401InvalidApiKey) {
  EXPECT_FALSE(run("GET", "/v1/models", {{"Authorization", "Bearer sk-admin-kez"}}));
  EXPECT_EQ(response().status, 401);
  EXPECT_EQ(response().body,
            R"({"error":{"message":"Incorrect API key provided.","type":"invalid_request_error",)"
            R"("param":null,"code":"invalid_api_key"}})");
  EXPECT_EQ(header(response(), "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(exchange_->log_fields.find("sk-"), std::string::npos);  // the key is never logged
}

TEST_F(ApiKeyFilterTest, UnknownV1PathStill401) {
  EXPECT_FALSE(run("GET", "/v1/secret-route"));
  EXPECT_EQ(response().status, 401);
}

TEST_F(ApiKeyFilterTest, BearerAndXApiKeyAccepted) {
  EXPECT_TRUE(run("POST", "/v1/chat/completions", {{"authorization", "Bearer sk-user-key"}}));
  EXPECT_EQ(exchange_->log_fields, R"(,"key_name":"app")");
  EXPECT_TRUE(run("POST", "/v1/chat/completions", {{"AUTHORIZATION", "bearer  sk-user-key"}}));
  EXPECT_TRUE(run("POST", "/v1/messages", {{"x-api-key", "sk-user-key"}}));
  EXPECT_EQ(exchange_->log_fields, R"(,"key_name":"app")");
  EXPECT_TRUE(run("POST", "/query", {{"X-Api-Key", "sk-admin-key"}}, "/query"));
  EXPECT_EQ(exchange_->log_fields, R"(,"key_name":"ops")");
  EXPECT_EQ(response().status, 200);
}

TEST_F(ApiKeyFilterTest, UnnamedKeyIsLoggedByPosition) {
  EXPECT_TRUE(run("GET", "/v1/models", {{"Authorization", "Bearer sk-reader-key"}}));
  EXPECT_EQ(exchange_->log_fields, R"(,"key_name":"api_keys.2")");
}

TEST_F(ApiKeyFilterTest, PreflightPassesWithoutKey) {
  EXPECT_TRUE(run("OPTIONS", "/v1/chat/completions",
                  {{"Origin", "http://a"}, {"Access-Control-Request-Method", "POST"}}));
  EXPECT_FALSE(run("OPTIONS", "/v1/chat/completions"));  // not a preflight
  EXPECT_EQ(response().status, 401);
  // Without Origin no browser sent it: not a preflight either.
  EXPECT_FALSE(run("OPTIONS", "/v1/chat/completions", {{"Access-Control-Request-Method", "POST"}}));
  EXPECT_EQ(response().status, 401);
}

TEST_F(ApiKeyFilterTest, ReadonlyKeyMayOnlyRead) {
  const http::HeaderView key{"Authorization", "Bearer sk-reader-key"};
  EXPECT_TRUE(run("GET", "/v1/models", {key}));
  EXPECT_TRUE(run("HEAD", "/v1/models", {key}));
  for (const char* method : {"POST", "DELETE", "PUT", "PATCH"}) {
    EXPECT_FALSE(run(method, "/v1/collections", {key})) << method;
    EXPECT_EQ(response().status, 403);
    EXPECT_EQ(response().body,
              R"({"error":{"message":"this API key is read-only","type":"permission_error",)"
              R"("param":null,"code":null}})");
  }
}

TEST_F(ApiKeyFilterTest, AdminRoutesNeedAdmin) {
  for (const char* key : {"Bearer sk-user-key", "Bearer sk-reader-key"}) {
    EXPECT_FALSE(run("GET", "/v1/admin/keys", {{"Authorization", key}}, "/v1/admin/keys")) << key;
    EXPECT_EQ(response().status, 403);
    EXPECT_NE(response().body.find(R"("type":"permission_error")"), std::string::npos);
    EXPECT_NE(response().body.find("admin"), std::string::npos);
  }
  EXPECT_TRUE(run("DELETE", "/v1/admin/keys/k1", {{"Authorization", "Bearer sk-admin-key"}}));
  EXPECT_TRUE(run("GET", "/v1/administrator", {{"Authorization", "Bearer sk-user-key"}}));
}

TEST_F(ApiKeyFilterTest, FactoryWipesPlaintextAndSkipsWhenNoKeys) {
  core::AuthConfig none;
  EXPECT_EQ(make_api_key_filter(none), nullptr);

  core::AuthConfig auth;
  auth.api_keys.push_back({"k", "sk-secret", "user"});
  auto filter = make_api_key_filter(auth);
  ASSERT_NE(filter, nullptr);
  EXPECT_TRUE(auth.api_keys[0].key.empty());
  http::Exchange exchange;
  exchange.request.method = "GET";
  exchange.request.path = "/v1/models";
  exchange.request.headers = {{"Authorization", "Bearer sk-secret"}};
  EXPECT_EQ(filter->on_request_now(exchange), http::FilterResult::next);
  EXPECT_EQ(exchange.api_key_name, "k");
}

TEST_F(ApiKeyFilterTest, RecordsTheKeyNameOrItsConfigPosition) {
  EXPECT_TRUE(run("GET", "/v1/models", {{"Authorization", "Bearer sk-user-key"}}));
  EXPECT_EQ(exchange_->api_key_name, "app");
  EXPECT_TRUE(run("GET", "/v1/models", {{"x-api-key", "sk-reader-key"}}));
  EXPECT_EQ(exchange_->api_key_name, "api_keys.2");
  EXPECT_FALSE(run("GET", "/v1/models", {{"x-api-key", "sk-wrong"}}));
  EXPECT_TRUE(exchange_->api_key_name.empty());
}

std::uint64_t counted(const http::Filter& filter, std::string_view result) {
  const auto& names = filter.stats().results();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == result) return filter.stats().value(i);
  ADD_FAILURE() << "no result " << result;
  return 0;
}

TEST_F(ApiKeyFilterTest, CountsEachRequestUnderOneResult) {
  EXPECT_EQ(filter_.name(), "api_key");
  run("GET", "/livez", {}, "/livez");
  run("GET", "/v1/models");
  run("GET", "/v1/models", {{"x-api-key", "nope"}});
  run("GET", "/v1/models", {{"x-api-key", "sk-user-key"}});
  run("GET", "/v1/admin/keys", {{"x-api-key", "sk-user-key"}});
  run("POST", "/v1/chat/completions", {{"x-api-key", "sk-reader-key"}});
  run("OPTIONS", "/v1/models", {{"Origin", "http://a"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(counted(filter_, "not_required"), 1u);
  EXPECT_EQ(counted(filter_, "missing_key"), 1u);
  EXPECT_EQ(counted(filter_, "invalid_key"), 1u);
  EXPECT_EQ(counted(filter_, "allowed"), 1u);
  EXPECT_EQ(counted(filter_, "admin_required"), 1u);
  EXPECT_EQ(counted(filter_, "read_only"), 1u);
  EXPECT_EQ(counted(filter_, "preflight"), 1u);
}

}  // namespace
}  // namespace sluice::auth
