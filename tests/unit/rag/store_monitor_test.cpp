#include "rag/store_monitor.hpp"

#include <gtest/gtest.h>

#include "../store/sqlite/store_fixture.hpp"

namespace sluice::rag {
namespace {

class StoreMonitorTest : public store::StoreTest {};

TEST_F(StoreMonitorTest, ServesReadinessAndJobGaugesFromItsLastReading) {
  open();
  ops::Registry registry;
  StoreMonitor monitor(*store_, registry);
  EXPECT_FALSE(monitor.readiness().ok);  // not read yet
  EXPECT_EQ(registry.render().find("sluice_jobs"), std::string::npos);

  const store::Collection collection = make_collection();
  ASSERT_TRUE(store_->documents().put_document(collection.id, text_document("a")).ok());
  ASSERT_TRUE(store_->documents().put_document(collection.id, text_document("b")).ok());
  now_ += 1'500;
  monitor.refresh();
  EXPECT_TRUE(monitor.readiness().ok);
  const std::string text = registry.render();
  EXPECT_NE(text.find("sluice_jobs{state=\"queued\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("sluice_jobs{state=\"dead\"} 0"), std::string::npos);
  EXPECT_NE(text.find("sluice_job_queue_oldest_age_seconds 1.5"), std::string::npos) << text;

  // Rendering reads the cache: the database is not asked again until the next refresh.
  ASSERT_TRUE(store_->jobs().lease("w", 1'000, now_.load()).ok());
  EXPECT_NE(registry.render().find("sluice_jobs{state=\"queued\"} 2"), std::string::npos);
  monitor.refresh();
  EXPECT_NE(registry.render().find("sluice_jobs{state=\"queued\"} 1"), std::string::npos);
}

// Finished jobs past the retention are deleted at a refresh, a bounded batch at a time; queued
// ones and recent ones stay.
TEST_F(StoreMonitorTest, RefreshDeletesExpiredFinishedJobs) {
  open();
  ops::Registry registry;
  StoreMonitor monitor(*store_, registry,
                       {std::chrono::milliseconds(10'000), std::chrono::milliseconds(10'000),
                        [this] { return now_.load(); }});
  const store::Collection collection = make_collection();
  auto done = store_->documents().put_document(collection.id, text_document("done"));
  auto waiting = store_->documents().put_document(collection.id, text_document("waiting"));
  ASSERT_TRUE(done.ok() && waiting.ok());
  auto leased = store_->jobs().lease("w", 60'000, now_.load());
  ASSERT_TRUE(leased.ok() && leased->has_value());
  ASSERT_EQ((*leased)->id, done->job_id);
  ASSERT_TRUE(store_->jobs().complete(done->job_id, "w").ok());

  monitor.refresh();  // the job ended just now: kept
  EXPECT_TRUE(store_->jobs().get(done->job_id).ok());
  now_ += 10'001;
  monitor.refresh();  // within a minute of the last pass: not yet
  EXPECT_TRUE(store_->jobs().get(done->job_id).ok());
  now_ += StoreMonitor::kPruneEveryMs;
  monitor.refresh();
  EXPECT_EQ(store_->jobs().get(done->job_id).error().code, Errc::not_found);
  EXPECT_TRUE(store_->jobs().get(waiting->job_id).ok());  // queued: never pruned
  EXPECT_NE(registry.render().find("sluice_jobs{state=\"succeeded\"} 0"), std::string::npos);
}

// Tombstones past their retention go the same way, and the collection remembers how far its
// change log was cut.
TEST_F(StoreMonitorTest, RefreshDeletesExpiredTombstones) {
  open();
  ops::Registry registry;
  StoreMonitor monitor(
      *store_, registry,
      {std::chrono::hours(1), std::chrono::milliseconds(10'000), [this] { return now_.load(); }});
  const store::Collection collection = make_collection();
  auto gone = store_->documents().put_document(collection.id, text_document("gone"));
  ASSERT_TRUE(gone.ok());
  ASSERT_TRUE(store_->documents().remove(gone->doc.id).ok());
  const int64_t removed_at = store_->collections().get(collection.id)->change_seq;
  auto changes = [&] { return store_->documents().changes_since(collection.id, 0, 10)->changes; };
  monitor.refresh();  // removed just now: kept
  ASSERT_EQ(changes().size(), 1u);
  EXPECT_EQ(store_->collections().get(collection.id)->removals_pruned_seq, 0);
  now_ += 10'001 + StoreMonitor::kPruneEveryMs;
  monitor.refresh();
  EXPECT_TRUE(changes().empty());
  EXPECT_EQ(store_->collections().get(collection.id)->removals_pruned_seq, removed_at);
}

}  // namespace
}  // namespace sluice::rag
