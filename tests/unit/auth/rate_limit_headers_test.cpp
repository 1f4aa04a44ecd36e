#include "auth/rate_limit_headers.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(RateLimitHeaders, DurationsAreWrittenAsOpenAiWritesThem) {
  EXPECT_EQ(openai_duration(0), "0s");
  EXPECT_EQ(openai_duration(1), "1ms");  // rounded up: never "0s" while time is left
  EXPECT_EQ(openai_duration(20 * kMs), "20ms");
  EXPECT_EQ(openai_duration(1000 * kMs), "1s");
  EXPECT_EQ(openai_duration(1500 * kMs), "1.5s");
  EXPECT_EQ(openai_duration(1020 * kMs), "1.02s");
  EXPECT_EQ(openai_duration(360'000 * kMs), "6m0s");
  EXPECT_EQ(openai_duration(3'723'000 * kMs), "1h2m3s");
  EXPECT_EQ(openai_duration(3'600'000 * kMs), "1h0m0s");
}

TEST(RateLimitHeaders, TheTrioAndRetryAfter) {
  http::Response response;
  add_rate_limit_headers(response, RateLimitKind::tokens, 90000, 89000, 666 * kMs);
  add_retry_after(response, 1001);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"x-ratelimit-limit-tokens", "90000"},
      {"x-ratelimit-remaining-tokens", "89000"},
      {"x-ratelimit-reset-tokens", "666ms"},
      {"Retry-After", "2"},
      {"retry-after-ms", "1001"}};
  EXPECT_EQ(response.headers, expected);
}

}  // namespace
}  // namespace sluice::auth
