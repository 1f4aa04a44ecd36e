#include "api/admin_key_body.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::api {
namespace {

namespace json = boost::json;
constexpr int64_t kNow = 1'796'000'000'000;

Status read(std::string_view body, store::ApiKey& key) {
  return read_key_fields(json::parse(body).as_object(), kNow, key);
}

std::string refused_param(std::string_view body) {
  store::ApiKey key;
  Status status = read(body, key);
  return status ? std::string("accepted") : status.error().param;
}

TEST(AdminKeyBodyTest, ReadsTheFieldsItEnforces) {
  store::ApiKey key;
  key.roles = {"query"};
  ASSERT_TRUE(
      read(R"({"name":"ci","roles":["admin","ingest"],"models":["fast"],"expires_in":60})", key));
  EXPECT_EQ(key.name, "ci");
  EXPECT_EQ(key.roles, (std::vector<std::string>{"admin", "ingest"}));
  EXPECT_EQ(key.models, (std::vector<std::string>{"fast"}));
  EXPECT_EQ(key.expires_at_ms, kNow + 60'000);
  ASSERT_TRUE(read(R"({"expires_at":null})", key));
  EXPECT_EQ(key.expires_at_ms, 0);
  EXPECT_EQ(key.name, "ci");  // absent fields stay
  ASSERT_TRUE(read(R"({"expires_at":1796000100})", key));
  EXPECT_EQ(key.expires_at_ms, 1'796'000'100'000);
}

TEST(AdminKeyBodyTest, ReadsAndRendersThePriority) {
  store::ApiKey key;
  EXPECT_EQ(key.priority, "normal");
  ASSERT_TRUE(read(R"({"priority":"low"})", key));
  EXPECT_EQ(key.priority, "low");
  EXPECT_EQ(key_json(key).at("priority").as_string(), "low");
  EXPECT_EQ(refused_param(R"({"priority":"urgent"})"), "priority");
  EXPECT_EQ(refused_param(R"({"priority":2})"), "priority");
}

TEST(AdminKeyBodyTest, RefusesWrongValuesNamingTheField) {
  EXPECT_EQ(refused_param(R"({"expires_at":-9223372036854775808})"), "expires_at");
  EXPECT_EQ(refused_param(R"({"expires_at":9223372036854775807})"), "expires_at");
  EXPECT_EQ(refused_param(R"({"expires_at":1796000000})"), "expires_at");  // not in the future
  EXPECT_EQ(refused_param(R"({"expires_at":1.5e12})"), "expires_at");
  EXPECT_EQ(refused_param(R"({"expires_in":9223372036854775807})"), "expires_in");
  EXPECT_EQ(refused_param(R"({"expires_in":-1})"), "expires_in");
  EXPECT_EQ(refused_param(R"({"expires_in":5,"expires_at":1796000100})"), "expires_in");
  EXPECT_EQ(refused_param(R"({"roles":["root"]})"), "roles");
  EXPECT_EQ(refused_param(R"({"roles":"admin"})"), "roles");
  EXPECT_EQ(refused_param(R"({"models":[""]})"), "models.0");
  EXPECT_EQ(refused_param(R"({"name":")" + std::string(300, 'x') + R"("})"), "name");
  EXPECT_EQ(refused_param(R"({"budgets":{"daily_usd":1}})"), "budgets");
  std::string many = R"({"models":[)";
  for (int i = 0; i < 300; ++i)
    many += std::string(i ? "," : "") + "\"m" + std::to_string(i) + "\"";
  EXPECT_EQ(refused_param(many + "]}"), "models");
}

TEST(AdminKeyBodyTest, RendersWithoutSecrets) {
  store::ApiKey key;
  key.id = "key_1";
  key.secret_hash = "abcdef";
  key.previous_hash = "012345";
  key.previous_valid_until_ms = kNow;
  key.prefix = "sk-sluice-1234";
  const std::string rendered = json::serialize(key_json(key));
  EXPECT_EQ(rendered.find("abcdef"), std::string::npos);
  EXPECT_EQ(rendered.find("012345"), std::string::npos);
  EXPECT_NE(rendered.find(R"("prefix":"sk-sluice-1234")"), std::string::npos);
  EXPECT_NE(rendered.find(R"("previous_key_valid_until":1796000000)"), std::string::npos);
  EXPECT_NE(rendered.find(R"("expires_at":null)"), std::string::npos);
}

TEST(AdminKeyBodyTest, RateLimitsAreReadCheckedAndRendered) {
  store::ApiKey key;
  ASSERT_TRUE(read(R"({"requests_per_minute":600,"tokens_per_minute":90000})", key));
  EXPECT_EQ(key.requests_per_minute, 600);
  EXPECT_EQ(key.tokens_per_minute, 90000);
  ASSERT_TRUE(read(R"({"requests_per_minute":0})", key));  // back to the configured default
  EXPECT_EQ(key.requests_per_minute, 0);
  EXPECT_EQ(key.tokens_per_minute, 90000);
  const std::string rendered = json::serialize(key_json(key));
  EXPECT_NE(rendered.find(R"("requests_per_minute":0,"tokens_per_minute":90000)"),
            std::string::npos)
      << rendered;
  EXPECT_EQ(refused_param(R"({"requests_per_minute":-1})"), "requests_per_minute");
  EXPECT_EQ(refused_param(R"({"requests_per_minute":1.5})"), "requests_per_minute");
  EXPECT_EQ(refused_param(R"({"requests_per_minute":"60"})"), "requests_per_minute");
  EXPECT_EQ(refused_param(R"({"tokens_per_minute":1000000001})"), "tokens_per_minute");
}

}  // namespace
}  // namespace sluice::api
