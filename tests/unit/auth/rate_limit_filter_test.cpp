#include "auth/rate_limit_filter.hpp"

#include <gtest/gtest.h>

#include "auth/local_limiter.hpp"

namespace sluice::auth {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return {};
}

class RateLimitFilterTest : public ::testing::Test {
 protected:
  void configure(core::RateLimitConfig config) {
    filter_ = std::make_unique<RateLimitFilter>(config, limiter_);
  }

  // Runs the filter on a fresh exchange from `address` as `principal` (none when null).
  bool run(std::shared_ptr<const core::Principal> principal, std::string_view address = "10.0.0.1",
           std::string_view route = "/v1/chat/completions") {
    exchange_ = std::make_unique<http::Exchange>();
    exchange_->request.method = "POST";
    exchange_->request.path = route;
    exchange_->route = route;
    exchange_->client_address = address;
    exchange_->principal = std::move(principal);
    exchange_->started = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(now_));
    return filter_->on_request_now(*exchange_) == http::FilterResult::next;
  }
  const http::Response& response() const { return exchange_->response; }

  static std::shared_ptr<const core::Principal> key(std::string id, int64_t per_minute = 0) {
    auto principal = std::make_shared<core::Principal>();
    principal->key_id = std::move(id);
    principal->name = "app";
    principal->requests_per_minute = per_minute;
    return principal;
  }

  int64_t now_ = 1000 * kSecond;
  LocalLimiter limiter_{1000};
  std::unique_ptr<RateLimitFilter> filter_;
  std::unique_ptr<http::Exchange> exchange_;
};

TEST_F(RateLimitFilterTest, AKeyBeyondItsLimitGetsA429InOpenAiShape) {
  core::RateLimitConfig config;
  config.burst = core::Millis{1000};  // one second's worth: 2 of 120 per minute
  configure(config);
  const auto app = key("key-1", 120);
  EXPECT_TRUE(run(app));
  EXPECT_EQ(header(response(), "x-ratelimit-limit-requests"), "120");
  EXPECT_EQ(header(response(), "x-ratelimit-remaining-requests"), "1");
  EXPECT_EQ(header(response(), "x-ratelimit-reset-requests"), "500ms");
  EXPECT_TRUE(run(app));
  EXPECT_FALSE(run(app));
  EXPECT_EQ(response().status, 429);
  EXPECT_NE(response().body.find(R"("code":"rate_limit_exceeded")"), std::string::npos);
  EXPECT_EQ(header(response(), "Retry-After"), "1");
  EXPECT_EQ(header(response(), "retry-after-ms"), "500");
  EXPECT_EQ(header(response(), "x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(filter_->refused(RateLimitFilter::Scope::key), 1u);
  // Another key is not affected, and the key gets in again once its time has come.
  EXPECT_TRUE(run(key("key-2", 120)));
  now_ += kSecond / 2;
  EXPECT_TRUE(run(app));
}

TEST_F(RateLimitFilterTest, TheConfiguredDefaultAppliesToKeysWithoutALimit) {
  core::RateLimitConfig config;
  config.key_requests_per_minute = 1;
  configure(config);
  EXPECT_TRUE(run(key("key-1")));
  EXPECT_FALSE(run(key("key-1")));
  EXPECT_TRUE(run(nullptr));  // no key, no key limit
}

TEST_F(RateLimitFilterTest, AddressesAreLimitedOnTheApiOnly) {
  core::RateLimitConfig config;
  config.address_requests_per_minute = 1;
  configure(config);
  EXPECT_TRUE(run(nullptr, "10.0.0.1"));
  EXPECT_FALSE(run(nullptr, "10.0.0.1"));
  EXPECT_EQ(filter_->refused(RateLimitFilter::Scope::address), 1u);
  EXPECT_TRUE(run(nullptr, "10.0.0.2"));
  EXPECT_TRUE(run(nullptr, "10.0.0.1", "/livez"));  // probes stay open
  EXPECT_TRUE(response().headers.empty());
}

TEST_F(RateLimitFilterTest, RoutesAreLimitedForEveryCaller) {
  core::RateLimitConfig config;
  config.routes = {{"/v1/embeddings", 2}};
  configure(config);
  EXPECT_TRUE(run(key("a"), "10.0.0.1", "/v1/embeddings"));
  EXPECT_TRUE(run(key("b"), "10.0.0.2", "/v1/embeddings"));
  EXPECT_FALSE(run(key("c"), "10.0.0.3", "/v1/embeddings"));
  EXPECT_EQ(filter_->refused(RateLimitFilter::Scope::route), 1u);
  EXPECT_TRUE(run(key("c"), "10.0.0.3", "/v1/chat/completions"));
}

TEST_F(RateLimitFilterTest, HeadersNameTheTightestLimitAndARefusalCostsTheOthersNothing) {
  core::RateLimitConfig config;
  config.address_requests_per_minute = 100;
  configure(config);
  const auto app = key("key-1", 3);
  EXPECT_TRUE(run(app));
  EXPECT_EQ(header(response(), "x-ratelimit-limit-requests"), "3");
  EXPECT_EQ(header(response(), "x-ratelimit-remaining-requests"), "2");
  EXPECT_TRUE(run(app));
  EXPECT_TRUE(run(app));
  EXPECT_FALSE(run(app));
  // The address paid for three requests, not for the refused one.
  EXPECT_TRUE(run(nullptr));
  EXPECT_EQ(header(response(), "x-ratelimit-remaining-requests"), "96");
}

TEST(RatePerMinute, BurstIsTheConfiguredShareOfTheRateAndAtLeastOne) {
  EXPECT_EQ(rate_per_minute(600, core::Millis{60'000}).burst, 600);
  EXPECT_EQ(rate_per_minute(600, core::Millis{1000}).burst, 10);
  EXPECT_EQ(rate_per_minute(6, core::Millis{1000}).burst, 1);
}

}  // namespace
}  // namespace sluice::auth
