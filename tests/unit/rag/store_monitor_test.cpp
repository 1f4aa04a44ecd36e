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

}  // namespace
}  // namespace sluice::rag
