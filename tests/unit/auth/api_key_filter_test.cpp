#include "auth/api_key_filter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "auth/local_limiter.hpp"
#include "memory_audit_store.hpp"
#include "support/jwt_signer.hpp"

namespace sluice::auth {
namespace {

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return {};
}

// A virtual key of the store with `secret`, as the registry gets it.
store::ApiKey virtual_key(const std::string& id, const std::string& secret,
                          std::vector<std::string> roles, int64_t change_seq) {
  store::ApiKey key;
  key.id = id;
  key.name = id + "-name";
  key.team = "search";
  key.roles = std::move(roles);
  Digest digest;
  digest_of(secret, digest);
  key.secret_hash = to_hex(digest);
  key.change_seq = change_seq;
  return key;
}

class ApiKeyFilterTest : public ::testing::Test {
 protected:
  ApiKeyFilterTest()
      : filter_({{"ops", "sk-admin-key", "admin"},
                 {"app", "sk-user-key", "user"},
                 {"", "sk-reader-key", "readonly"}},
                &registry_, [this] { return now_; }) {}

  // Runs the filter on a fresh exchange; true if the request may proceed to its handler.
  bool run(std::string_view method, std::string_view path,
           std::vector<http::HeaderView> headers = {}, std::string_view route = "unmatched") {
    exchange_ = std::make_unique<http::Exchange>();
    exchange_->request.method = method;
    exchange_->request.path = path;
    exchange_->request.headers = std::move(headers);
    exchange_->route = route;
    return decide(filter_, *exchange_) == http::FilterResult::next;
  }
  // As the server does: at once, else by awaiting on_request (a JWT's signature check).
  http::FilterResult decide(ApiKeyFilter& filter, http::Exchange& exchange) {
    if (auto now = filter.on_request_now(exchange)) return *now;
    ++awaited_;
    boost::asio::io_context io;
    std::optional<http::FilterResult> result;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> { result = co_await filter.on_request(exchange); },
        boost::asio::detached);
    io.run();
    return result.value();
  }
  const http::Response& response() const { return exchange_->response; }

  int64_t now_ = 1'000'000;
  KeyRegistry registry_{100};
  ApiKeyFilter filter_;
  std::unique_ptr<http::Exchange> exchange_;
  int awaited_ = 0;  // decisions that awaited on_request
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
  EXPECT_EQ(make_api_key_filter(none, nullptr), nullptr);

  core::AuthConfig auth;
  auth.api_keys.push_back({"k", "sk-secret", "user"});
  auth.admin_key = "sk-bootstrap";
  auto filter = make_api_key_filter(auth, nullptr);
  ASSERT_NE(filter, nullptr);
  EXPECT_TRUE(auth.api_keys[0].key.empty());
  EXPECT_TRUE(auth.admin_key.empty());
  http::Exchange admin;
  admin.request.method = "POST";
  admin.request.path = "/v1/admin/keys";
  admin.request.headers = {{"Authorization", "Bearer sk-bootstrap"}};
  EXPECT_EQ(filter->on_request_now(admin), http::FilterResult::next);
  EXPECT_EQ(admin.api_key_name, "admin_key");
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

TEST_F(ApiKeyFilterTest, VirtualKeysAuthenticateWithTheirPrincipal) {
  ASSERT_TRUE(registry_.apply(virtual_key("key_a", "sk-sluice-a", {"query"}, 1)));
  EXPECT_TRUE(run("POST", "/v1/chat/completions", {{"Authorization", "Bearer sk-sluice-a"}},
                  "/v1/chat/completions"));
  ASSERT_NE(exchange_->principal, nullptr);
  EXPECT_EQ(exchange_->principal->key_id, "key_a");
  EXPECT_EQ(exchange_->principal->team, "search");
  EXPECT_EQ(exchange_->api_key_name, "key_a-name");
  EXPECT_EQ(exchange_->log_fields, R"(,"key_name":"key_a-name","key_id":"key_a")");
  EXPECT_FALSE(run("GET", "/v1/models", {{"Authorization", "Bearer sk-sluice-b"}}));
  EXPECT_EQ(response().status, 401);
}

TEST_F(ApiKeyFilterTest, RolesDecideWhichWritesAKeyMayMake) {
  ASSERT_TRUE(registry_.apply(virtual_key("key_q", "sk-q", {"query"}, 1)));
  ASSERT_TRUE(registry_.apply(virtual_key("key_i", "sk-i", {"ingest"}, 2)));
  const http::HeaderView query{"x-api-key", "sk-q"}, ingest{"x-api-key", "sk-i"};
  const std::string_view upload = "/v1/collections/{collection}/documents";
  EXPECT_TRUE(
      run("POST", "/v1/collections/docs/search", {query}, "/v1/collections/{collection}/search"));
  EXPECT_TRUE(run("POST", "/v1/query", {query}, "/v1/query"));
  EXPECT_TRUE(run("GET", "/v1/collections/docs/documents", {query}, upload));
  EXPECT_FALSE(run("POST", "/v1/collections/docs/documents", {query}, upload));
  EXPECT_EQ(response().status, 403);
  EXPECT_NE(response().body.find("'ingest' role"), std::string::npos) << response().body;
  EXPECT_TRUE(run("POST", "/v1/collections/docs/documents", {ingest}, upload));
  EXPECT_TRUE(run("DELETE", "/v1/collections/docs", {ingest}, "/v1/collections/{collection}"));
  EXPECT_FALSE(run("POST", "/v1/chat/completions", {ingest}, "/v1/chat/completions"));
  EXPECT_NE(response().body.find("'query' role"), std::string::npos) << response().body;
  EXPECT_FALSE(run("GET", "/v1/admin/keys", {query}, "/v1/admin/keys"));
  EXPECT_EQ(response().status, 403);
  // The config file's user keys hold both.
  EXPECT_TRUE(
      run("POST", "/v1/collections/docs/documents", {{"x-api-key", "sk-user-key"}}, upload));
  EXPECT_EQ(counted(filter_, "permission_denied"), 2u);
}

TEST_F(ApiKeyFilterTest, ExpiredRevokedAndRotatedKeys) {
  store::ApiKey key = virtual_key("key_r", "sk-old", {"admin"}, 1);
  key.expires_at_ms = now_ + 5000;
  ASSERT_TRUE(registry_.apply(key));
  EXPECT_TRUE(run("GET", "/v1/models", {{"x-api-key", "sk-old"}}));
  // Rotated with a 1 s overlap: both secrets work until it ends, then only the new one.
  store::ApiKey rotated = virtual_key("key_r", "sk-new", {"admin"}, 2);
  rotated.expires_at_ms = key.expires_at_ms;
  rotated.previous_hash = key.secret_hash;
  rotated.previous_valid_until_ms = now_ + 1000;
  ASSERT_TRUE(registry_.apply(rotated));
  EXPECT_TRUE(run("GET", "/v1/models", {{"x-api-key", "sk-old"}}));
  EXPECT_TRUE(run("GET", "/v1/models", {{"x-api-key", "sk-new"}}));
  now_ += 1000;
  EXPECT_FALSE(run("GET", "/v1/models", {{"x-api-key", "sk-old"}}));
  EXPECT_EQ(response().status, 401);
  EXPECT_NE(response().body.find("expired"), std::string::npos);
  EXPECT_TRUE(run("GET", "/v1/models", {{"x-api-key", "sk-new"}}));
  now_ += 4000;
  EXPECT_FALSE(run("GET", "/v1/models", {{"x-api-key", "sk-new"}}));
  EXPECT_EQ(exchange_->log_fields, R"(,"auth_error":"expired_key")");
  // Revoked: unknown at once.
  store::ApiKey revoked = virtual_key("key_v", "sk-v", {"query"}, 3);
  ASSERT_TRUE(registry_.apply(revoked));
  EXPECT_TRUE(run("GET", "/v1/models", {{"x-api-key", "sk-v"}}));
  revoked.revoked_at_ms = now_;
  revoked.change_seq = 4;
  ASSERT_TRUE(registry_.apply(revoked));
  EXPECT_FALSE(run("GET", "/v1/models", {{"x-api-key", "sk-v"}}));
  EXPECT_NE(response().body.find("Incorrect API key"), std::string::npos);
}

TEST(ApiKeyFilterAuthOff, OpenUntilTheFirstVirtualKeyAndNeverAgain) {
  KeyRegistry registry(10);
  ApiKeyFilter filter({}, &registry);
  const auto run = [&filter](std::vector<http::HeaderView> headers) {
    http::Exchange exchange;
    exchange.request.method = "POST";
    exchange.request.path = "/v1/chat/completions";
    exchange.request.headers = std::move(headers);
    return filter.on_request_now(exchange) == http::FilterResult::next;
  };
  EXPECT_TRUE(run({}));
  store::ApiKey key = virtual_key("key_1", "sk-1", {"query"}, 1);
  ASSERT_TRUE(registry.apply(key));
  EXPECT_FALSE(run({}));
  EXPECT_TRUE(run({{"x-api-key", "sk-1"}}));
  key.revoked_at_ms = 1;
  key.change_seq = 2;
  ASSERT_TRUE(registry.apply(key));
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_FALSE(run({}));  // revoking the last key does not open the server
  EXPECT_FALSE(run({{"x-api-key", "sk-1"}}));
}

TEST_F(ApiKeyFilterTest, RefusalsAndAdminChangesAreAudited) {
  testing::MemoryAuditStore store;
  AuditLog audit(store, 100, [] { return int64_t{42}; });
  filter_.set_audit(&audit);
  exchange_ = std::make_unique<http::Exchange>();
  run("GET", "/v1/models", {{"x-api-key", "sk-wrong"}}, "/v1/models");
  run("POST", "/v1/collections", {{"x-api-key", "sk-reader-key"}}, "/v1/collections");
  run("GET", "/v1/admin/keys", {{"x-api-key", "sk-user-key"}}, "/v1/admin/keys");
  // Allowed: an admin change is audited with its status once answered; reads are not.
  ASSERT_TRUE(run("GET", "/v1/admin/keys", {{"x-api-key", "sk-admin-key"}}, "/v1/admin/keys"));
  filter_.on_response(*exchange_);
  ASSERT_TRUE(run("DELETE", "/v1/admin/keys/key_1", {{"x-api-key", "sk-admin-key"}},
                  "/v1/admin/keys/{id}"));
  exchange_->request.params = {{"id", "key_1"}};
  exchange_->response.status = 200;
  filter_.on_response(*exchange_);
  ASSERT_TRUE(audit.flush());
  ASSERT_EQ(store.events.size(), 4u);
  EXPECT_EQ(store.events[0].action, "GET /v1/models");
  EXPECT_EQ(store.events[0].result, "invalid_key");
  EXPECT_EQ(store.events[0].key_name, "");
  EXPECT_EQ(store.events[0].at_ms, 42);
  EXPECT_EQ(store.events[1].result, "read_only");
  EXPECT_EQ(store.events[1].key_name, "api_keys.2");
  EXPECT_EQ(store.events[2].result, "admin_required");
  EXPECT_EQ(store.events[3].action, "DELETE /v1/admin/keys/{id}");
  EXPECT_EQ(store.events[3].target, "key_1");
  EXPECT_EQ(store.events[3].result, "200");
  EXPECT_EQ(store.events[3].key_name, "ops");
}

TEST_F(ApiKeyFilterTest, BearerJwtsAuthenticateWithTheirClaims) {
  const auto signer = sluice::testing::JwtSigner::ec("k1");
  auto keys = parse_jwks(sluice::testing::jwks_of({&signer}));
  ASSERT_TRUE(keys);
  JwtRules rules;
  rules.audience = "sluice";
  JwtVerifier verifier(rules, std::make_shared<const JwkSet>(std::move(*keys)),
                       [this] { return now_ * 1000; });
  filter_.set_jwt_verifier(&verifier);
  testing::MemoryAuditStore store;
  AuditLog audit(store, 100, [] { return int64_t{42}; });
  filter_.set_audit(&audit);
  const auto token = [&](const std::string& extra, int64_t exp) {
    return "Bearer " + signer.sign(R"({"sub":"alice","aud":"sluice","exp":)" + std::to_string(exp) +
                                   extra + "}");
  };

  const std::string query = token(R"(,"roles":["query"],"team":"search")", now_ + 600);
  ASSERT_TRUE(
      run("POST", "/v1/chat/completions", {{"authorization", query}}, "/v1/chat/completions"));
  EXPECT_EQ(exchange_->principal->name, "alice");
  EXPECT_EQ(exchange_->principal->team, "search");
  EXPECT_EQ(exchange_->api_key_name, "alice");
  EXPECT_EQ(exchange_->log_fields, R"(,"key_name":"alice","auth":"jwt")");
  EXPECT_EQ(awaited_, 1);  // its signature was checked off the event loop
  // Its roles decide as a virtual key's would; remembered, it is decided at once.
  EXPECT_FALSE(run("POST", "/v1/collections", {{"authorization", query}}, "/v1/collections"));
  EXPECT_EQ(response().status, 403);
  EXPECT_EQ(awaited_, 1);

  EXPECT_FALSE(run("GET", "/v1/models", {{"authorization", token("", now_ - 3600)}}));
  EXPECT_EQ(response().status, 401);
  EXPECT_EQ(
      response().body,
      R"({"error":{"message":"This bearer token has expired.","type":"invalid_request_error",)"
      R"("param":null,"code":"invalid_api_key"}})");
  EXPECT_EQ(header(response(), "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(exchange_->log_fields, R"(,"auth_error":"expired_jwt","jwt_error":"expired")");

  const std::string other_audience =
      "Bearer " + signer.sign(R"({"sub":"a","aud":"x","exp":)" + std::to_string(now_ + 60) + "}");
  EXPECT_FALSE(run("GET", "/v1/models", {{"authorization", other_audience}}));
  EXPECT_EQ(response().status, 401);
  EXPECT_EQ(exchange_->log_fields, R"(,"auth_error":"invalid_jwt","jwt_error":"wrong_audience")");
  const int awaited = awaited_;
  // Refused by its header alone: no signature check, decided at once.
  EXPECT_FALSE(run("GET", "/v1/models", {{"authorization", "Bearer eyJhbGciOiJub25lIn0.e30."}}));
  EXPECT_EQ(response().status, 401);
  EXPECT_EQ(awaited_, awaited);

  // Config keys still work beside JWTs.
  EXPECT_TRUE(run("GET", "/v1/models", {{"authorization", "Bearer sk-user-key"}}));
  EXPECT_EQ(counted(filter_, "expired_jwt"), 1u);
  EXPECT_EQ(counted(filter_, "invalid_jwt"), 2u);
  EXPECT_EQ(counted(filter_, "permission_denied"), 1u);
  ASSERT_TRUE(audit.flush());
  ASSERT_EQ(store.events.size(), 4u);
  EXPECT_EQ(store.events[0].result, "permission_denied");
  EXPECT_EQ(store.events[0].key_name, "alice");
  EXPECT_EQ(store.events[1].result, "expired_jwt");
  EXPECT_EQ(store.events[2].result, "invalid_jwt");
}

TEST_F(ApiKeyFilterTest, AJwtVerifierAloneTurnsAuthenticationOn) {
  JwtVerifier verifier(JwtRules{});
  core::AuthConfig auth;
  auto filter = make_api_key_filter(auth, nullptr, &verifier);
  ASSERT_NE(filter, nullptr);
  exchange_ = std::make_unique<http::Exchange>();
  exchange_->request.method = "GET";
  exchange_->request.path = "/v1/models";
  exchange_->route = "/v1/models";
  EXPECT_EQ(filter->on_request_now(*exchange_), http::FilterResult::responded);
  EXPECT_EQ(exchange_->response.status, 401);
  EXPECT_EQ(counted(*filter, "missing_key"), 1u);
  EXPECT_EQ(make_api_key_filter(auth, nullptr, nullptr), nullptr);
}

TEST_F(ApiKeyFilterTest, FreshJwtsBeyondThePendingBoundGet503) {
  const auto signer = sluice::testing::JwtSigner::rsa("k1");
  auto keys = parse_jwks(sluice::testing::jwks_of({&signer}));
  ASSERT_TRUE(keys);
  JwtVerifier verifier(JwtRules{}, std::make_shared<const JwkSet>(std::move(*keys)),
                       [this] { return now_ * 1000; });
  filter_.set_jwt_verifier(&verifier);
  const std::string token =
      "Bearer " + signer.sign(R"({"sub":"a","exp":)" + std::to_string(now_ + 600) + "}");
  // One more than the bound at once: every check starts before any can finish (their
  // completions queue behind the starts on this one thread).
  constexpr int kRequests = ApiKeyFilter::kMaxPendingJwtChecks + 1;
  std::vector<std::unique_ptr<http::Exchange>> exchanges;
  std::vector<std::optional<http::FilterResult>> results(kRequests);
  boost::asio::io_context io;
  for (int i = 0; i < kRequests; ++i) {
    auto& exchange = *exchanges.emplace_back(std::make_unique<http::Exchange>());
    exchange.request.method = "GET";
    exchange.request.path = "/v1/models";
    exchange.route = "/v1/models";
    exchange.request.headers = {{"authorization", token}};
    ASSERT_FALSE(filter_.on_request_now(exchange).has_value());
    boost::asio::co_spawn(
        io,
        [&, i]() -> boost::asio::awaitable<void> {
          results[i] = co_await filter_.on_request(*exchanges[i]);
        },
        boost::asio::detached);
  }
  io.run();
  int admitted = 0, busy = 0;
  for (int i = 0; i < kRequests; ++i) {
    if (results[i] == http::FilterResult::next) ++admitted;
    if (exchanges[i]->response.status == 503) {
      ++busy;
      EXPECT_EQ(header(exchanges[i]->response, "Retry-After"), "1");
      EXPECT_NE(exchanges[i]->response.body.find("\"code\":\"overloaded\""), std::string::npos);
    }
  }
  EXPECT_EQ(admitted, ApiKeyFilter::kMaxPendingJwtChecks);
  EXPECT_EQ(busy, 1);
  EXPECT_EQ(counted(filter_, "jwt_busy"), 1u);
  // Once checked it is remembered: decided at once, the bound untouched.
  exchange_ = std::make_unique<http::Exchange>();
  exchange_->request.method = "GET";
  exchange_->request.path = "/v1/models";
  exchange_->route = "/v1/models";
  exchange_->request.headers = {{"authorization", token}};
  EXPECT_EQ(filter_.on_request_now(*exchange_), http::FilterResult::next);
}

TEST_F(ApiKeyFilterTest, FailedAttemptsPerAddressAreLimitedAndNotAudited) {
  testing::MemoryAuditStore store;
  AuditLog audit(store, 100, [] { return int64_t{42}; });
  filter_.set_audit(&audit);
  LocalLimiter limiter(100);
  filter_.set_failure_limit(&limiter, Rate::per_period(3, 60'000'000'000, 3));
  std::string authorization;  // the header views it
  const auto attempt = [&](std::string_view address, std::string key) {
    exchange_ = std::make_unique<http::Exchange>();
    exchange_->request.method = "GET";
    exchange_->request.path = "/v1/models";
    exchange_->route = "/v1/models";
    exchange_->client_address = address;
    std::vector<http::HeaderView> headers;
    authorization = "Bearer " + key;
    if (!key.empty()) headers.push_back({"authorization", authorization});
    exchange_->request.headers = std::move(headers);
    return decide(filter_, *exchange_);
  };
  // Three failures (wrong key, none, wrong again) are 401s; the fourth is a 429.
  for (const char* key : {"sk-wrong", "", "sk-wrong-2"}) {
    EXPECT_EQ(attempt("10.0.0.1", key), http::FilterResult::responded);
    EXPECT_EQ(response().status, 401) << key;
  }
  EXPECT_EQ(attempt("10.0.0.1", "sk-wrong-3"), http::FilterResult::responded);
  EXPECT_EQ(response().status, 429);
  EXPECT_NE(response().body.find("\"code\":\"rate_limit_exceeded\""), std::string::npos);
  EXPECT_FALSE(header(response(), "Retry-After").empty());
  // A right key from that address still passes; another address has its own failures.
  EXPECT_EQ(attempt("10.0.0.1", "sk-user-key"), http::FilterResult::next);
  EXPECT_EQ(attempt("10.0.0.2", "sk-wrong"), http::FilterResult::responded);
  EXPECT_EQ(response().status, 401);
  EXPECT_EQ(counted(filter_, "failures_limited"), 1u);
  ASSERT_TRUE(audit.flush());
  EXPECT_EQ(store.events.size(), 4u);  // the 401s only
}

}  // namespace
}  // namespace sluice::auth
