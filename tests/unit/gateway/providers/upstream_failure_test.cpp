#include "gateway/providers/upstream_failure.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

TEST(HttpFailureTest, OutcomeRetryAfterAndBody) {
  auto limited = http_failure(429, R"({"error":{"message":"slow down"}})", "2", "", "p");
  EXPECT_EQ(limited.outcome, core::AttemptOutcome::rate_limited);
  EXPECT_TRUE(core::is_retriable(limited.outcome));
  EXPECT_EQ(limited.retry_after, std::chrono::milliseconds(2000));
  EXPECT_NE(limited.error.message.find("slow down"), std::string::npos);
  EXPECT_FALSE(limited.upstream_error_body.empty());
  auto bad = http_failure(400, "not json", "", "", "p");
  EXPECT_EQ(bad.outcome, core::AttemptOutcome::upstream_4xx);
  EXPECT_FALSE(core::is_retriable(bad.outcome));
  EXPECT_TRUE(bad.upstream_error_body.empty());  // not OpenAI-shaped: we write our own
  EXPECT_EQ(http_failure(503, "", "", "1500", "p").retry_after, std::chrono::milliseconds(1500));
  EXPECT_EQ(http_failure(503, "", "", "", "p").outcome, core::AttemptOutcome::upstream_5xx);
  EXPECT_EQ(http_failure(501, "", "", "", "p").outcome, core::AttemptOutcome::upstream_4xx);
}

TEST(TimeoutsForTest, CarryTheRequestsDeadlineAndSignal) {
  http::UpstreamTimeouts provider;
  provider.total = std::chrono::seconds(5);
  core::Cancellation cancellation;
  RequestLimits limits;
  limits.deadline = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  limits.cancellation = &cancellation;
  const auto t = timeouts_for(provider, limits);
  EXPECT_EQ(t.total, std::chrono::seconds(5));
  EXPECT_EQ(t.request_deadline, limits.deadline);
  EXPECT_EQ(t.cancellation, &cancellation);
}

}  // namespace
}  // namespace sluice::gateway
