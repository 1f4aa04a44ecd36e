#include "store/sqlite/sqlite_usage_store.hpp"

#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class UsageStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
  }
  UsageStore& usage() { return store_->usage(); }
};

TEST_F(UsageStoreTest, AddsToTotalsPerKeyDayAndModel) {
  ASSERT_TRUE(usage().add({{"key_a", "2026-11-29", "fast", 2, 10, 20, 300},
                           {"key_a", "2026-11-30", "fast", 1, 5, 6, 70},
                           {"key_b", "2026-11-30", "fast", 9, 9, 9, 9}}));
  ASSERT_TRUE(usage().add({{"key_a", "2026-11-30", "fast", 3, 1, 2, 30},
                           {"key_a", "2026-11-30", "big", 1, 100, 200, 5000}}));
  auto rows = usage().for_key("key_a", "2026-11-30", "2026-11-30");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].model, "big");
  EXPECT_EQ((*rows)[1].model, "fast");
  EXPECT_EQ((*rows)[1].requests, 4);
  EXPECT_EQ((*rows)[1].prompt_tokens, 6);
  EXPECT_EQ((*rows)[1].completion_tokens, 8);
  EXPECT_EQ((*rows)[1].cost_nano_usd, 100);
  auto all = usage().for_key("key_a", "2026-01-01", "2026-12-31");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].day, "2026-11-29");
  EXPECT_TRUE(usage().for_key("key_c", "2026-01-01", "2026-12-31")->empty());
  EXPECT_TRUE(usage().add({}).ok());
}

}  // namespace
}  // namespace sluice::store
