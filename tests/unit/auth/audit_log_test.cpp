#include "auth/audit_log.hpp"

#include <gtest/gtest.h>

#include "memory_audit_store.hpp"

namespace sluice::auth {
namespace {

store::AuditEvent named(const std::string& action) {
  store::AuditEvent event;
  event.action = action;
  return event;
}

TEST(AuditLogTest, QueuesStampsAndFlushesInOneCommit) {
  testing::MemoryAuditStore store;
  int64_t now = 5000;
  AuditLog log(store, 10, [&now] { return now; });
  log.record(named("a"));
  now = 6000;
  log.record(named("b"));
  EXPECT_TRUE(store.events.empty());
  ASSERT_TRUE(log.flush());
  EXPECT_EQ(store.commits, 1);
  ASSERT_EQ(store.events.size(), 2u);
  EXPECT_EQ(store.events[0].at_ms, 5000);
  EXPECT_EQ(store.events[1].at_ms, 6000);
  ASSERT_TRUE(log.flush());
  EXPECT_EQ(store.commits, 1);
}

TEST(AuditLogTest, AFailedFlushKeepsTheEventsInOrderWithinTheBound) {
  testing::MemoryAuditStore store;
  AuditLog log(store, 3, [] { return int64_t{1}; });
  log.record(named("a"));
  log.record(named("b"));
  store.fail = true;
  EXPECT_FALSE(log.flush());
  log.record(named("c"));
  log.record(named("d"));  // over the bound of 3: dropped
  EXPECT_EQ(log.dropped(), 1u);
  store.fail = false;
  ASSERT_TRUE(log.flush());
  ASSERT_EQ(store.events.size(), 3u);
  EXPECT_EQ(store.events[0].action, "a");
  EXPECT_EQ(store.events[2].action, "c");
}

TEST(AuditLogTest, PrunesPastTheRetentionInBatches) {
  testing::MemoryAuditStore store;
  int64_t now = 0;
  AuditLog log(store, 5000, [&now] { return now; });
  for (int i = 0; i < 2500; ++i) log.record(named("old"));
  now = 10'000;
  log.record(named("new"));
  ASSERT_TRUE(log.flush());
  ASSERT_TRUE(log.prune(std::chrono::milliseconds(5000)));
  ASSERT_EQ(store.events.size(), 1u);
  EXPECT_EQ(store.events[0].action, "new");
  EXPECT_EQ(store.prunes, 3);  // 1000, 1000, then 500 < a batch: done
}

}  // namespace
}  // namespace sluice::auth
