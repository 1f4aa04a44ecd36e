// The hybrid platform's job queue: the ingest queue's ordering, leases and retry policy on a
// virtual clock (the same cases as the store's own tests, tests/unit/store/sqlite/
// sqlite_job_queue_test.cpp).

#include "sim/model/job_queue.hpp"

#include <gtest/gtest.h>

#include "store/lease_renewal_policy.hpp"
#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using Outcome = SimulatedJobQueue::Outcome;

const store::JobRetryPolicy kPolicy{.max_attempts = 3, .retry_base = 1000ms};

TEST(SimulatedJobQueueTest, LeasesTheOldestRunnableJobOnce) {
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  const JobId first = queue.enqueue(at(0));
  const JobId second = queue.enqueue(at(1));
  EXPECT_EQ(queue.runnable(at(1)), 2u);
  const auto a = queue.lease(at(2), buried);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->job, first);
  EXPECT_EQ(a->attempt, 1);
  EXPECT_FALSE(a->took_over);
  const auto b = queue.lease(at(2), buried);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->job, second);
  EXPECT_FALSE(queue.lease(at(3), buried).has_value());  // both leased
  EXPECT_EQ(queue.runnable(at(3)), 0u);
  EXPECT_EQ(queue.complete(*a), Outcome::done);
  EXPECT_EQ(queue.unfinished(), 1u);
  EXPECT_TRUE(buried.empty());
}

TEST(SimulatedJobQueueTest, AFailedAttemptRunsAgainAfterTheBackoffThenTheJobIsDead) {
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  queue.enqueue(at(0));
  double now = 0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto lease = queue.lease(at(now), buried);
    ASSERT_TRUE(lease.has_value()) << attempt;
    EXPECT_EQ(lease->attempt, attempt);
    now += 5;  // the attempt's gateway call
    if (attempt == 3) {
      EXPECT_EQ(queue.fail(*lease, at(now)), Outcome::dead);
      break;
    }
    EXPECT_EQ(queue.fail(*lease, at(now)), Outcome::retry);
    // Runnable again after the store's backoff: 1 s, then 2 s.
    const double delay = std::chrono::duration<double>(kPolicy.retry_delay(attempt)).count();
    ASSERT_TRUE(queue.next_due().has_value());
    EXPECT_EQ(*queue.next_due(), at(now + delay));
    EXPECT_FALSE(queue.lease(at(now + delay - 0.001), buried).has_value());
    now += delay;
  }
  EXPECT_EQ(queue.unfinished(), 0u);
  EXPECT_FALSE(queue.lease(at(now + 1000), buried).has_value());
}

TEST(SimulatedJobQueueTest, AnExpiredLeaseIsTakenOverAndTheFirstAnswerIsDropped) {
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  queue.enqueue(at(0));
  const auto first = queue.lease(at(0), buried);
  EXPECT_FALSE(queue.lease(at(29.999), buried).has_value());  // hidden by its lease
  EXPECT_EQ(*queue.next_due(), at(30));
  EXPECT_EQ(queue.runnable(at(30)), 1u);
  const auto second = queue.lease(at(30), buried);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->took_over);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_EQ(queue.complete(*first), Outcome::lease_lost);
  EXPECT_EQ(queue.fail(*first, at(31)), Outcome::lease_lost);
  EXPECT_EQ(queue.complete(*second), Outcome::done);
}

TEST(SimulatedJobQueueTest, AnAttemptThatEndsAfterItsLeaseButBeforeATakeOverCounts) {
  // As the store: the job is still running under the same owner, so the completion stands.
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  queue.enqueue(at(0));
  const auto lease = queue.lease(at(0), buried);
  EXPECT_EQ(queue.runnable(at(40)), 1u);
  EXPECT_EQ(queue.complete(*lease), Outcome::done);
  EXPECT_EQ(queue.runnable(at(40)), 0u);
}

TEST(SimulatedJobQueueTest, RenewExtendsTheLease) {
  // As the store's RenewExtendsTheLease: hidden until the renewal's time + lease.
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  queue.enqueue(at(0));
  const auto lease = queue.lease(at(0), buried);
  ASSERT_TRUE(queue.renew(*lease, at(20)).ok());
  EXPECT_EQ(*queue.next_due(), at(50));
  EXPECT_FALSE(queue.lease(at(49.999), buried).has_value());
  // A lease that expired while nobody took the job is still the worker's: renewed.
  EXPECT_EQ(queue.runnable(at(55)), 1u);
  ASSERT_TRUE(queue.renew(*lease, at(55)).ok());
  EXPECT_EQ(queue.runnable(at(55)), 0u);
  EXPECT_EQ(*queue.next_due(), at(85));
  EXPECT_EQ(queue.complete(*lease), Outcome::done);
  EXPECT_FALSE(queue.next_due().has_value());
}

TEST(SimulatedJobQueueTest, ALostLeaseIsNotRenewed) {
  // As the store's AnExpiredLeaseIsTakenByAnotherOwner: the first holder's renewal is refused
  // (conflict), and so is any renewal of a job that is gone (not_found): both lost leases.
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  queue.enqueue(at(0));
  const auto first = queue.lease(at(0), buried);
  const auto second = queue.lease(at(30), buried);
  ASSERT_TRUE(second.has_value());
  const Status refused = queue.renew(*first, at(31));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_TRUE(store::LeaseRenewalPolicy::lost(refused));
  EXPECT_EQ(*queue.next_due(), at(60));  // the refused renewal moved nothing
  ASSERT_TRUE(queue.renew(*second, at(31)).ok());
  EXPECT_EQ(queue.complete(*second), Outcome::done);
  const Status gone = queue.renew(*second, at(32));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, Errc::not_found);
  EXPECT_TRUE(store::LeaseRenewalPolicy::lost(gone));
}

TEST(SimulatedJobQueueTest, AJobThatKeepsLosingItsLeaseEndsDead) {
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  const JobId job = queue.enqueue(at(0));
  for (int attempt = 1; attempt <= 3; ++attempt)
    ASSERT_TRUE(queue.lease(at(30.0 * (attempt - 1)), buried).has_value());
  EXPECT_FALSE(queue.lease(at(90), buried).has_value());
  ASSERT_EQ(buried.size(), 1u);
  EXPECT_EQ(buried[0], job);
  EXPECT_EQ(queue.unfinished(), 0u);
}

TEST(SimulatedJobQueueTest, RetriedJobsQueueByWhenTheyBecameRunnable) {
  SimulatedJobQueue queue(kPolicy, 30s);
  std::vector<JobId> buried;
  const JobId retried = queue.enqueue(at(0));
  const auto lease = queue.lease(at(0), buried);
  EXPECT_EQ(queue.fail(*lease, at(0.5)), Outcome::retry);  // runnable at 1.5 s
  const JobId before = queue.enqueue(at(1));
  const JobId after = queue.enqueue(at(2));
  EXPECT_EQ(queue.lease(at(3), buried)->job, before);
  EXPECT_EQ(queue.lease(at(3), buried)->job, retried);
  EXPECT_EQ(queue.lease(at(3), buried)->job, after);
}

}  // namespace
}  // namespace sluice::sim
