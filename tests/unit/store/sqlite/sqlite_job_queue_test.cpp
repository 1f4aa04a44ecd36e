#include "store/sqlite/sqlite_job_queue.hpp"

#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

constexpr int64_t kLease = 30'000;

class JobQueueTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
    collection_ = make_collection();
  }
  JobQueue& jobs() { return store_->jobs(); }
  PutOutcome put(std::string body, std::string external_id = {}) {
    auto outcome =
        store_->documents().put_document(collection_.id, text_document(body, external_id));
    if (!outcome) throw std::runtime_error(outcome.error().message);
    return *std::move(outcome);
  }
  std::optional<Job> lease(const std::string& owner) {
    auto leased = jobs().lease(owner, kLease, now_.load());
    if (!leased) throw std::runtime_error(leased.error().message);
    return *leased;
  }
  Collection collection_;
};

TEST_F(JobQueueTest, LeasesTheOldestRunnableJobOnce) {
  const PutOutcome first = put("first");
  now_ += 1;
  const PutOutcome second = put("second");
  auto a = lease("worker-a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->id, first.job_id);
  EXPECT_EQ(a->state, "running");
  EXPECT_EQ(a->lease_owner, "worker-a");
  EXPECT_EQ(a->attempts, 1);
  EXPECT_EQ(a->lease_expires_ms, now_.load() + kLease);
  auto b = lease("worker-b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->id, second.job_id);
  EXPECT_FALSE(lease("worker-c").has_value());
  EXPECT_EQ(jobs().get(first.job_id)->state, "running");
}

TEST_F(JobQueueTest, AnExpiredLeaseIsTakenByAnotherOwner) {
  const PutOutcome doc = put("body");
  ASSERT_TRUE(lease("crashed").has_value());
  now_ += kLease - 1;
  EXPECT_FALSE(lease("other").has_value());  // still held
  now_ += 1;
  auto retaken = lease("other");
  ASSERT_TRUE(retaken.has_value());
  EXPECT_EQ(retaken->id, doc.job_id);
  EXPECT_EQ(retaken->lease_owner, "other");
  EXPECT_EQ(retaken->attempts, 2);
  // The crashed owner's late reports are refused.
  EXPECT_EQ(jobs().complete(doc.job_id, "crashed").error().code, Errc::conflict);
  EXPECT_EQ(jobs().renew(doc.job_id, "crashed", kLease, now_.load()).error().code, Errc::conflict);
  EXPECT_TRUE(jobs().complete(doc.job_id, "other").ok());
  EXPECT_EQ(jobs().get(doc.job_id)->state, "succeeded");
}

TEST_F(JobQueueTest, RenewExtendsTheLease) {
  const PutOutcome doc = put("body");
  ASSERT_TRUE(lease("a").has_value());
  now_ += kLease - 10;
  ASSERT_TRUE(jobs().renew(doc.job_id, "a", kLease, now_.load()).ok());
  now_ += 20;
  EXPECT_FALSE(lease("b").has_value());
  EXPECT_EQ(jobs().get(doc.job_id)->lease_expires_ms, now_.load() - 20 + kLease);
}

TEST_F(JobQueueTest, FailRetriesAfterBackoffThenBuriesAfterMaxAttempts) {
  const PutOutcome doc = put("poison");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto job = lease("w");
    ASSERT_TRUE(job.has_value()) << "attempt " << attempt;
    EXPECT_EQ(job->attempts, attempt);
    const int64_t retry_at = now_.load() + 1000 * attempt;
    ASSERT_TRUE(
        jobs().fail(doc.job_id, "w", "parse error " + std::to_string(attempt), retry_at).ok());
    if (attempt == 3) break;
    auto queued = jobs().get(doc.job_id);
    EXPECT_EQ(queued->state, "queued");
    EXPECT_EQ(queued->run_after_ms, retry_at);
    now_ = retry_at - 1;
    EXPECT_FALSE(lease("w").has_value());  // backing off
    now_ = retry_at;
  }
  auto dead = jobs().get(doc.job_id);
  EXPECT_EQ(dead->state, "dead");
  EXPECT_EQ(dead->last_error, "parse error 3");
  EXPECT_EQ(store_->documents().get(doc.doc.id)->status, "failed");
  now_ += 1'000'000;
  EXPECT_FALSE(lease("w").has_value());
}

TEST_F(JobQueueTest, AJobThatKeepsLosingItsLeaseEndsDead) {
  const PutOutcome doc = put("kills its worker");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(lease("w" + std::to_string(attempt)).has_value());
    now_ += kLease;
  }
  EXPECT_FALSE(lease("w4").has_value());
  auto dead = jobs().get(doc.job_id);
  EXPECT_EQ(dead->state, "dead");
  EXPECT_NE(dead->last_error.find("expired"), std::string::npos);
}

TEST_F(JobQueueTest, FailPermanentlyBuriesOnTheFirstAttempt) {
  const PutOutcome doc = put("cannot be parsed");
  ASSERT_TRUE(lease("w").has_value());
  EXPECT_EQ(jobs().fail_permanently(doc.job_id, "other", "no text").error().code, Errc::conflict);
  ASSERT_TRUE(jobs().fail_permanently(doc.job_id, "w", "no text").ok());
  auto dead = jobs().get(doc.job_id);
  EXPECT_EQ(dead->state, "dead");
  EXPECT_EQ(dead->attempts, 1);
  EXPECT_EQ(dead->last_error, "no text");
  EXPECT_EQ(store_->documents().get(doc.doc.id)->status, "failed");
  now_ += 1'000'000;
  EXPECT_FALSE(lease("w").has_value());
}

TEST_F(JobQueueTest, RetryDeadQueuesAgainWithAttemptsReset) {
  const PutOutcome doc = put("poison");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(lease("w").has_value());
    ASSERT_TRUE(jobs().fail(doc.job_id, "w", "boom", now_.load()).ok());
  }
  ASSERT_EQ(jobs().get(doc.job_id)->state, "dead");
  now_ += 500;
  ASSERT_TRUE(jobs().retry_dead(doc.job_id).ok());
  auto queued = jobs().get(doc.job_id);
  EXPECT_EQ(queued->state, "queued");
  EXPECT_EQ(queued->attempts, 0);
  EXPECT_EQ(queued->run_after_ms, now_.load());
  EXPECT_EQ(store_->documents().get(doc.doc.id)->status, "pending");
  auto again = lease("w");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(jobs().retry_dead(doc.job_id).error().code, Errc::conflict);  // not dead
  EXPECT_EQ(jobs().retry_dead("job_missing").error().code, Errc::not_found);
}

TEST_F(JobQueueTest, RetryDeadRefusesASupersededVersion) {
  const PutOutcome v1 = put("poison", "ext");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(lease("w").has_value());
    ASSERT_TRUE(jobs().fail(v1.job_id, "w", "boom", now_.load()).ok());
  }
  put("fixed", "ext");
  EXPECT_EQ(jobs().retry_dead(v1.job_id).error().code, Errc::conflict);
}

TEST_F(JobQueueTest, CountsPerStateAndTheOldestRunnableAge) {
  const PutOutcome a = put("a");
  now_ += 100;
  put("b");
  put("c");
  now_ += 400;
  auto counts = jobs().counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->queued, 3);
  EXPECT_EQ(counts->oldest_queued_age_ms, 500);
  ASSERT_TRUE(lease("w").has_value());  // takes a
  ASSERT_TRUE(jobs().complete(a.job_id, "w").ok());
  auto leased = lease("w");
  ASSERT_TRUE(jobs().fail(leased->id, "w", "later", now_.load() + 10'000).ok());
  counts = jobs().counts();
  EXPECT_EQ(counts->queued, 2);
  EXPECT_EQ(counts->succeeded, 1);
  EXPECT_EQ(counts->running, 0);
  EXPECT_EQ(counts->oldest_queued_age_ms, 400);  // the one backing off is not late
}

TEST_F(JobQueueTest, PruneFinishedKeepsPendingAndDeadJobs) {
  const PutOutcome done = put("done");
  const PutOutcome waiting = put("waiting");
  ASSERT_TRUE(lease("w").has_value());
  ASSERT_TRUE(jobs().complete(done.job_id, "w").ok());
  const PutOutcome v1 = put("v1", "ext");
  put("v2", "ext");  // cancels v1's job
  now_ += 1000;
  const PutOutcome later = put("later");
  ASSERT_TRUE(lease("w").has_value());                     // waiting
  ASSERT_TRUE(jobs().complete(waiting.job_id, "w").ok());  // updated now: kept

  auto first = jobs().prune_finished(now_.load(), 1);  // a bounded batch, oldest first
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1);
  auto pruned = jobs().prune_finished(now_.load(), 100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(jobs().get(done.job_id).error().code, Errc::not_found);
  EXPECT_EQ(jobs().get(v1.job_id).error().code, Errc::not_found);
  EXPECT_TRUE(jobs().get(waiting.job_id).ok());
  EXPECT_TRUE(jobs().get(later.job_id).ok());
}

TEST_F(JobQueueTest, ListsByStateWithCursors) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(put("doc " + std::to_string(i)).job_id);
  ASSERT_TRUE(lease("w").has_value());
  auto running = jobs().list("running", "", 10);
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running->items.size(), 1u);
  EXPECT_EQ(running->items[0].id, ids[0]);
  std::vector<std::string> queued;
  std::string cursor;
  do {
    auto page = jobs().list("queued", cursor, 2);
    ASSERT_TRUE(page.ok());
    for (const auto& job : page->items) queued.push_back(job.id);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(queued, std::vector<std::string>(ids.begin() + 1, ids.end()));
  EXPECT_EQ(jobs().list("", "", 100)->items.size(), 5u);
}

}  // namespace
}  // namespace sluice::store
