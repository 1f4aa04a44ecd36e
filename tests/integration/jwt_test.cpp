// Bearer JWTs against the real binary: tokens signed by keys of a JWKS file reach the mock
// provider through /v1/chat/completions; the classic token flaws get 401; a rotated JWKS file
// takes effect while the server runs.
#include <filesystem>
#include <fstream>

#include "support/jwt_signer.hpp"
#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

constexpr const char* kIssuer = "https://idp.example";
constexpr const char* kAudience = "sluice-api";
constexpr std::string_view kChat =
    R"({"model":"test-model","messages":[{"role":"user","content":"Hi"}]})";

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Claims for this server, expiring `exp_in` seconds from now; `extra` adds members.
std::string claims(const std::string& extra = "", long long exp_in = 600) {
  return std::string(R"({"sub":"ci-bot","iss":")") + kIssuer + R"(","aud":")" + kAudience +
         R"(","roles":["query"],"exp":)" + std::to_string(unix_now() + exp_in) + extra + "}";
}

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    old_key_ = new JwtSigner(JwtSigner::rsa("2026-01"));
    new_key_ = new JwtSigner(JwtSigner::ec("2026-02"));
  }
  static void TearDownTestSuite() {
    delete old_key_;
    delete new_key_;
  }
  void SetUp() override {
    dir_ = make_temp_dir();
    jwks_path_ = dir_ + "/jwks.json";
    write_jwks(jwks_of({old_key_}));
    upstream_ = start_mock_upstream();
    config_ = std::make_unique<TempFile>(gateway_yaml(upstream_->port()));
    server_ = start_server({{"SLUICE_AUTH__JWT__JWKS_FILE", jwks_path_},
                            {"SLUICE_AUTH__JWT__ISSUER", kIssuer},
                            {"SLUICE_AUTH__JWT__AUDIENCE", kAudience},
                            {"SLUICE_AUTH__JWT__JWKS_REFRESH", "100ms"}},
                           {"--config", config_->path()});
  }
  // Replaces the JWKS file at once, as a secret mount or a deploy would (rename over it).
  void write_jwks(const std::string& text) {
    const std::string next = jwks_path_ + ".next";
    std::ofstream(next) << text;
    std::filesystem::rename(next, jwks_path_);
  }
  HttpResponse chat(const std::string& token) {
    auto r =
        http_request(server_->port(), "POST", "/v1/chat/completions", kChat,
                     "Content-Type: application/json\r\nAuthorization: Bearer " + token + "\r\n");
    EXPECT_TRUE(r);
    return r.value_or(HttpResponse{});
  }
  // The value of a /metrics sample line starting with `series`; -1 when absent.
  double metric(const std::string& series) {
    auto r = http_request(server_->port(), "GET", "/metrics");
    if (!r) return -1;
    const auto at = r->body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(r->body.substr(at + series.size() + 2));
  }
  static void expect_refused(const HttpResponse& r, const std::string& message) {
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_TRUE(contains(r.body, R"({"error":{"message":")" + message +
                                     R"(","type":"invalid_request_error","param":null,)"
                                     R"("code":"invalid_api_key"}})"))
        << r.body;
    EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  }

  static JwtSigner* old_key_;
  static JwtSigner* new_key_;
  std::string dir_;
  std::string jwks_path_;
  std::unique_ptr<SluiceProcess> upstream_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<SluiceProcess> server_;
};
JwtSigner* JwtTest::old_key_ = nullptr;
JwtSigner* JwtTest::new_key_ = nullptr;

using OwaspApi2BrokenAuthentication = JwtTest;

TEST_F(OwaspApi2BrokenAuthentication, OnlyAValidTokenForThisAudienceReachesTheProvider) {
  auto ok = chat(old_key_->sign(claims()));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(mock_stat(upstream_->port(), "chat"), 1);

  expect_refused(chat(old_key_->sign(claims("", -3600))), "This bearer token has expired.");
  // Minted by the same identity provider for another service.
  expect_refused(chat(old_key_->sign(std::string(R"({"sub":"x","iss":")") + kIssuer +
                                     R"(","aud":"billing","roles":["query"],"exp":)" +
                                     std::to_string(unix_now() + 600) + "}")),
                 "Invalid bearer token.");
  // Signed by a key the JWKS does not hold.
  expect_refused(chat(JwtSigner::rsa("2026-01").sign(claims())), "Invalid bearer token.");
  // Unsigned, and HMAC-signed with the public key as the secret.
  const std::string none = JwtSigner::sign_with(JWT_ALG_NONE, "", "2026-01", claims());
  expect_refused(chat(none), "Invalid bearer token.");
  expect_refused(chat(forged_token(R"({"alg":"none","kid":"2026-01"})", claims())),
                 "Invalid bearer token.");
  expect_refused(
      chat(JwtSigner::sign_with(JWT_ALG_HS256, old_key_->public_pem(), "2026-01", claims())),
      "Invalid bearer token.");
  // Claims edited after signing.
  const std::string token = old_key_->sign(claims());
  const std::string admin =
      forged_token(R"({"alg":"RS256","kid":"2026-01"})", claims(R"(,"roles":["admin"])"));
  expect_refused(chat(admin.substr(0, admin.rfind('.')) + token.substr(token.rfind('.'))),
                 "Invalid bearer token.");
  EXPECT_EQ(mock_stat(upstream_->port(), "chat"), 1);  // none of them reached the provider

  EXPECT_EQ(metric(R"(sluice_filter_requests_total{filter="api_key",result="expired_jwt"})"), 1);
  EXPECT_EQ(metric(R"(sluice_filter_requests_total{filter="api_key",result="invalid_jwt"})"), 6);
  // The access log (written in batches) says which check failed; the client was not told.
  EXPECT_TRUE(eventually([&] {
    return contains(server_->output(), R"("jwt_error":"wrong_audience")") &&
           contains(server_->output(), R"("jwt_error":"unsupported_alg")");
  })) << server_->output();
}

TEST_F(JwtTest, ARotatedJwksTakesEffectWhileServing) {
  const std::string old_token = old_key_->sign(claims());
  const std::string new_token = new_key_->sign(claims());
  EXPECT_EQ(chat(old_token).status, 200);
  EXPECT_EQ(chat(new_token).status, 401);

  write_jwks(jwks_of({new_key_}));
  EXPECT_TRUE(eventually([&] { return chat(new_token).status == 200; })) << server_->output();
  EXPECT_EQ(chat(old_token).status, 401);  // remembered before, refused after the rotation
  EXPECT_EQ(metric(R"(sluice_jwks_reloads_total{result="applied"})"), 1);

  // A broken file keeps the last good keys.
  write_jwks(R"({"keys":[{"kty":"RSA"}]})");
  EXPECT_TRUE(
      eventually([&] { return metric(R"(sluice_jwks_reloads_total{result="rejected"})") == 1; }));
  EXPECT_EQ(chat(new_token).status, 200);
  EXPECT_TRUE(contains(server_->output(), "JWKS not reloaded")) << server_->output();
}

TEST(JwtConfigTest, CheckAndServeRefuseAnInvalidJwksFile) {
  TempFile jwks(R"({"keys":[{"kty":"RSA","n":"AQAB"}]})", ".json");
  const Env env = {{"SLUICE_AUTH__JWT__JWKS_FILE", jwks.path()},
                   {"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}};
  auto check = run_sluice({"check", "--listen", "127.0.0.1:0"}, env);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_TRUE(contains(check.output, "auth.jwt.jwks_file")) << check.output;
  EXPECT_TRUE(contains(check.output, "keys[0].e: missing")) << check.output;
  auto serve = run_sluice({"serve", "--listen", "127.0.0.1:0"}, env);
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_TRUE(contains(serve.output, "cannot load the JWKS")) << serve.output;
}

}  // namespace
}  // namespace sluice::testing
