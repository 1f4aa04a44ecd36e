#include "store/sqlite/sqlite_audit_store.hpp"

#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class AuditStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
  }
  AuditStore& audit() { return store_->audit(); }
  static AuditEvent event(int64_t at_ms, std::string key_id, std::string action,
                          std::string result) {
    AuditEvent e;
    e.at_ms = at_ms;
    e.key_id = std::move(key_id);
    e.key_name = "name";
    e.action = std::move(action);
    e.target = "key_x";
    e.result = std::move(result);
    e.request_id = "req";
    e.client = "127.0.0.1";
    return e;
  }
};

TEST_F(AuditStoreTest, ListsNewestFirstWithFiltersAndPages) {
  ASSERT_TRUE(audit().append({event(1000, "key_a", "POST /v1/admin/keys", "201"),
                              event(2000, "", "GET /v1/models", "invalid_key"),
                              event(3000, "key_a", "DELETE /v1/admin/keys/{id}", "200"),
                              event(4000, "key_b", "POST /v1/admin/keys", "201")}));
  auto all = audit().list({}, "", 3);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->items[0].at_ms, 4000);
  EXPECT_EQ(all->items[2].at_ms, 2000);
  EXPECT_EQ(all->items[1].target, "key_x");
  EXPECT_EQ(all->items[1].client, "127.0.0.1");
  auto rest = audit().list({}, all->next_cursor, 3);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].at_ms, 1000);
  EXPECT_TRUE(rest->next_cursor.empty());

  EXPECT_EQ(audit().list({.key_id = "key_a"}, "", 10)->items.size(), 2u);
  EXPECT_EQ(audit().list({.action = "POST /v1/admin/keys"}, "", 10)->items.size(), 2u);
  EXPECT_EQ(audit().list({.result = "invalid_key"}, "", 10)->items.size(), 1u);
  auto window = audit().list({.since_ms = 2000, .until_ms = 3000}, "", 10);
  ASSERT_EQ(window->items.size(), 2u);
  EXPECT_EQ(window->items[0].at_ms, 3000);
  EXPECT_EQ(audit().list({}, "nope", 10).error().code, Errc::invalid_request);
}

TEST_F(AuditStoreTest, PrunesTheOldestInBatches) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 5; ++i) events.push_back(event(i * 1000, "", "a", "r"));
  ASSERT_TRUE(audit().append(events));
  EXPECT_EQ(*audit().prune(3500, 2), 2);
  EXPECT_EQ(*audit().prune(3500, 2), 2);
  EXPECT_EQ(*audit().prune(3500, 2), 0);
  auto left = audit().list({}, "", 10);
  ASSERT_EQ(left->items.size(), 1u);
  EXPECT_EQ(left->items[0].at_ms, 4000);
}

}  // namespace
}  // namespace sluice::store
