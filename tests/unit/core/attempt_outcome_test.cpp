#include "core/attempt_outcome.hpp"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

TEST(AttemptOutcomeTest, TransientStatusesAreRetried) {
  for (int status : {408, 429, 500, 502, 503, 504, 529, 599})
    EXPECT_TRUE(is_retriable(outcome_for_status(status))) << status;
  EXPECT_EQ(outcome_for_status(429), AttemptOutcome::rate_limited);
  EXPECT_EQ(outcome_for_status(408), AttemptOutcome::timeout);
  EXPECT_EQ(outcome_for_status(503), AttemptOutcome::upstream_5xx);
}

TEST(AttemptOutcomeTest, PermanentStatusesAreNot) {
  for (int status : {400, 401, 403, 404, 409, 413, 422, 501, 505}) {
    EXPECT_FALSE(is_retriable(outcome_for_status(status))) << status;
    EXPECT_EQ(outcome_for_status(status), AttemptOutcome::upstream_4xx) << status;
  }
}

TEST(AttemptOutcomeTest, OnlyDeploymentFaultsCountAgainstTheBreaker) {
  for (auto o :
       {AttemptOutcome::timeout, AttemptOutcome::connect, AttemptOutcome::reset,
        AttemptOutcome::rate_limited, AttemptOutcome::upstream_5xx, AttemptOutcome::protocol})
    EXPECT_TRUE(counts_against_deployment(o)) << to_string(o);
  for (auto o : {AttemptOutcome::success, AttemptOutcome::upstream_4xx, AttemptOutcome::too_large,
                 AttemptOutcome::rejected, AttemptOutcome::client_gone, AttemptOutcome::cancelled})
    EXPECT_FALSE(counts_against_deployment(o)) << to_string(o);
}

TEST(AttemptOutcomeTest, EveryOutcomeHasALabel) {
  for (int i = 0; i <= static_cast<int>(AttemptOutcome::cancelled); ++i)
    EXPECT_NE(to_string(static_cast<AttemptOutcome>(i)), "unknown") << i;
}

TEST(AttemptOutcomeTest, ALabelReadsBackAsItsOutcome) {
  for (int i = 0; i <= static_cast<int>(AttemptOutcome::cancelled); ++i) {
    const auto outcome = static_cast<AttemptOutcome>(i);
    EXPECT_EQ(parse_attempt_outcome(to_string(outcome)), outcome) << i;
  }
  EXPECT_EQ(parse_attempt_outcome("unknown"), std::nullopt);
  EXPECT_EQ(parse_attempt_outcome("Success"), std::nullopt);
}

}  // namespace
}  // namespace sluice::core
