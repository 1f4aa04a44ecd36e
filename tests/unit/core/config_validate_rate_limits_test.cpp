#include <gtest/gtest.h>

#include "config_fixture.hpp"

namespace sluice::core {
namespace {

using ConfigRateLimitsTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

TEST_F(ConfigRateLimitsTest, ReadsLimitsForDefaultsAddressesRoutesAndKeys) {
  auto r = load(R"(
auth:
  api_keys:
    - { name: app, key: sk-app-key, requests_per_minute: 60, tokens_per_minute: 90000 }
rate_limits:
  key_requests_per_minute: 600
  key_tokens_per_minute: 100000
  address_requests_per_minute: 1200
  routes:
    - { route: /v1/embeddings, requests_per_minute: 300 }
  burst: 1s
  default_completion_tokens: 512
  max_tracked: 5000
)");
  ASSERT_LOADS(r);
  const RateLimitConfig& limits = r->rate_limits;
  EXPECT_EQ(limits.key_requests_per_minute, 600);
  EXPECT_EQ(limits.key_tokens_per_minute, 100000);
  EXPECT_EQ(limits.address_requests_per_minute, 1200);
  ASSERT_EQ(limits.routes.size(), 1u);
  EXPECT_EQ(limits.routes[0].route, "/v1/embeddings");
  EXPECT_EQ(limits.routes[0].requests_per_minute, 300);
  EXPECT_EQ(limits.burst, Millis{1000});
  EXPECT_EQ(limits.default_completion_tokens, 512);
  EXPECT_EQ(limits.max_tracked, 5000);
  EXPECT_EQ(r->auth.api_keys[0].requests_per_minute, 60);
  EXPECT_EQ(r->auth.api_keys[0].tokens_per_minute, 90000);
  // Off unless configured.
  auto defaults = load("");
  ASSERT_LOADS(defaults);
  EXPECT_EQ(defaults->rate_limits.key_requests_per_minute, 0);
  EXPECT_EQ(defaults->rate_limits.burst, Millis{60'000});
}

TEST_F(ConfigRateLimitsTest, WrongValuesAreNamedByTheirKey) {
  auto r = load(R"(
auth:
  api_keys:
    - { key: sk-app-key, tokens_per_minute: -1 }
rate_limits:
  key_requests_per_minute: -5
  address_requests_per_minute: 2000000000
  routes:
    - { route: v1/embeddings, requests_per_minute: 3 }
    - { route: /v1/chat/completions, requests_per_minute: 3 }
    - { route: /v1/chat/completions, requests_per_minute: 4 }
  burst: 2m
  default_completion_tokens: 0
  max_tracked: 1
)");
  EXPECT_ERROR_AT(r, "auth.api_keys.0.tokens_per_minute", "between 0 and 1000000000");
  EXPECT_ERROR_AT(r, "rate_limits.key_requests_per_minute", "got -5");
  EXPECT_ERROR_AT(r, "rate_limits.address_requests_per_minute", "got 2000000000");
  EXPECT_ERROR_AT(r, "rate_limits.routes.0.route", "starting with '/'");
  EXPECT_ERROR_AT(r, "rate_limits.routes.2.route", "limited twice");
  EXPECT_ERROR_AT(r, "rate_limits.burst", "between 1ms and 1m");
  EXPECT_ERROR_AT(r, "rate_limits.default_completion_tokens", "got 0");
  EXPECT_ERROR_AT(r, "rate_limits.max_tracked", "got 1");
}

}  // namespace
}  // namespace sluice::core
