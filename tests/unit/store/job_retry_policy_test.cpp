#include "store/job_retry_policy.hpp"

#include <gtest/gtest.h>

#include "core/config.hpp"

namespace sluice::store {
namespace {

using std::chrono::milliseconds;

TEST(JobRetryPolicy, RetryDelayDoublesFromTheBaseUpToFiveMinutes) {
  const JobRetryPolicy policy{.max_attempts = 5, .retry_base = milliseconds(1'000)};
  EXPECT_EQ(policy.retry_delay(1), milliseconds(1'000));
  EXPECT_EQ(policy.retry_delay(2), milliseconds(2'000));
  EXPECT_EQ(policy.retry_delay(4), milliseconds(8'000));
  EXPECT_EQ(policy.retry_delay(9), milliseconds(256'000));
  EXPECT_EQ(policy.retry_delay(10), JobRetryPolicy::kMaxRetryDelay);
  EXPECT_EQ(policy.retry_delay(1'000'000), JobRetryPolicy::kMaxRetryDelay);
  EXPECT_EQ(JobRetryPolicy{.retry_base = milliseconds(0)}.retry_delay(1), milliseconds(1));
}

TEST(JobRetryPolicy, EachLeaseIsAnAttemptAndTheLastOneEndsTheJob) {
  const JobRetryPolicy policy{.max_attempts = 3};
  int attempts = 0;
  attempts = JobRetryPolicy::attempts_after_lease(attempts);
  EXPECT_EQ(attempts, 1);
  EXPECT_FALSE(policy.exhausted(attempts));
  attempts = JobRetryPolicy::attempts_after_lease(JobRetryPolicy::attempts_after_lease(attempts));
  EXPECT_EQ(attempts, 3);
  EXPECT_TRUE(policy.exhausted(attempts));
  EXPECT_TRUE(policy.exhausted(4));
}

TEST(JobRetryPolicy, DefaultsAreTheServersRagJobSettings) {
  const JobRetryPolicy policy;
  EXPECT_EQ(policy.max_attempts, core::RagConfig{}.job_max_attempts);
  EXPECT_EQ(policy.retry_base, core::RagConfig{}.job_retry_base);
}

}  // namespace
}  // namespace sluice::store
