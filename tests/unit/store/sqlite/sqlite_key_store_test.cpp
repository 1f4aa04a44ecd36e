#include "store/sqlite/sqlite_key_store.hpp"

#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class KeyStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
  }
  KeyStore& keys() { return store_->keys(); }

  static ApiKey key_with_hash(const std::string& hash) {
    ApiKey key;
    key.name = "ci";
    key.team = "search";
    key.roles = {"ingest", "query"};
    key.models = {"gpt-4o-mini", "fast"};
    key.collections = {"docs"};
    key.requests_per_minute = 600;
    key.tokens_per_minute = 90000;
    key.daily_budget_micro_usd = 5'000'000;
    key.monthly_budget_micro_usd = 100'000'000;
    key.prefix = "sk-sluice-ab";
    key.secret_hash = hash;
    key.expires_at_ms = 9'000'000;
    key.priority = "high";
    return key;
  }
};

TEST_F(KeyStoreTest, RoundTripsEveryField) {
  auto created = keys().create(key_with_hash("h1"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->id.starts_with("key_"));
  EXPECT_EQ(created->created_at_ms, now_.load());
  EXPECT_GT(created->change_seq, 0);
  auto read = keys().get(created->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "ci");
  EXPECT_EQ(read->team, "search");
  EXPECT_EQ(read->roles, (std::vector<std::string>{"ingest", "query"}));
  EXPECT_EQ(read->models, (std::vector<std::string>{"gpt-4o-mini", "fast"}));
  EXPECT_EQ(read->collections, (std::vector<std::string>{"docs"}));
  EXPECT_EQ(read->requests_per_minute, 600);
  EXPECT_EQ(read->tokens_per_minute, 90000);
  EXPECT_EQ(read->daily_budget_micro_usd, 5'000'000);
  EXPECT_EQ(read->monthly_budget_micro_usd, 100'000'000);
  EXPECT_EQ(read->prefix, "sk-sluice-ab");
  EXPECT_EQ(read->secret_hash, "h1");
  EXPECT_EQ(read->expires_at_ms, 9'000'000);
  EXPECT_EQ(read->revoked_at_ms, 0);
  EXPECT_EQ(read->change_seq, created->change_seq);
  EXPECT_EQ(read->priority, "high");
  EXPECT_EQ(keys().get("key_missing").error().code, Errc::not_found);
}

TEST_F(KeyStoreTest, SecretsAreUniqueAcrossCurrentAndPrevious) {
  auto first = keys().create(key_with_hash("h1"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(keys().create(key_with_hash("h1")).error().code, Errc::conflict);
  // Rotated: h1 stays valid as the previous secret, and still cannot be another key's.
  ApiKey rotated = *first;
  rotated.previous_hash = "h1";
  rotated.secret_hash = "h2";
  rotated.previous_valid_until_ms = now_ + 1000;
  ASSERT_TRUE(keys().update(rotated).ok());
  EXPECT_EQ(keys().create(key_with_hash("h1")).error().code, Errc::conflict);
  EXPECT_EQ(keys().create(key_with_hash("h2")).error().code, Errc::conflict);
  auto other = keys().create(key_with_hash("h3"));
  ASSERT_TRUE(other.ok());
  ApiKey stealing = *other;
  stealing.secret_hash = "h2";
  EXPECT_EQ(keys().update(stealing).error().code, Errc::conflict);
}

TEST_F(KeyStoreTest, EveryWriteMovesTheChangeSequence) {
  auto a = keys().create(key_with_hash("a"));
  auto b = keys().create(key_with_hash("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_GT(b->change_seq, a->change_seq);
  now_ += 50;
  ApiKey revoked = *a;
  revoked.revoked_at_ms = now_;
  auto updated = keys().update(revoked);
  ASSERT_TRUE(updated.ok());
  EXPECT_GT(updated->change_seq, b->change_seq);
  EXPECT_EQ(updated->created_at_ms, a->created_at_ms);
  EXPECT_EQ(updated->updated_at_ms, now_.load());

  auto all = keys().changed_since(0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);  // a once, at its latest write
  EXPECT_EQ((*all)[0].id, b->id);
  EXPECT_EQ((*all)[1].id, a->id);
  EXPECT_EQ((*all)[1].revoked_at_ms, now_.load());
  auto later = keys().changed_since(b->change_seq, 10);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].id, a->id);
  EXPECT_TRUE(keys().changed_since(updated->change_seq, 10)->empty());

  ApiKey missing = *a;
  missing.id = "key_missing";
  EXPECT_EQ(keys().update(missing).error().code, Errc::not_found);
}

TEST_F(KeyStoreTest, ListsInCreationOrderByPages) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(keys().create(key_with_hash("h" + std::to_string(i))).ok());
  auto first = keys().list("", 3);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 3u);
  EXPECT_EQ(first->items[0].secret_hash, "h0");
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = keys().list(first->next_cursor, 3);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[1].secret_hash, "h4");
  EXPECT_TRUE(second->next_cursor.empty());
  EXPECT_EQ(keys().list("x", 3).error().code, Errc::invalid_request);
}

}  // namespace
}  // namespace sluice::store
