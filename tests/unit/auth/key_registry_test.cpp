#include "auth/key_registry.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

Digest digest(const std::string& secret) {
  Digest d;
  digest_of(secret, d);
  return d;
}

store::ApiKey key(const std::string& id, const std::string& secret, int64_t change_seq) {
  store::ApiKey k;
  k.id = id;
  k.roles = {"query"};
  k.secret_hash = to_hex(digest(secret));
  k.change_seq = change_seq;
  return k;
}

TEST(KeyRegistryTest, AnOlderVersionNeverReplacesANewerOne) {
  KeyRegistry registry(10);
  store::ApiKey v1 = key("key_a", "s1", 1);
  store::ApiKey v2 = key("key_a", "s2", 2);
  v2.name = "renamed";
  ASSERT_TRUE(registry.apply(v2));
  ASSERT_TRUE(registry.apply(v1));  // read late by the follower: ignored
  EXPECT_EQ(registry.find(digest("s1"), 0).principal, nullptr);
  ASSERT_NE(registry.find(digest("s2"), 0).principal, nullptr);
  EXPECT_EQ(registry.find(digest("s2"), 0).principal->name, "renamed");
  EXPECT_EQ(registry.size(), 1u);
}

TEST(KeyRegistryTest, AKeysPriorityReachesItsPrincipal) {
  KeyRegistry registry(10);
  store::ApiKey low = key("key_low", "s1", 1);
  low.priority = "low";
  ASSERT_TRUE(registry.apply(low));
  ASSERT_TRUE(registry.apply(key("key_default", "s2", 2)));
  EXPECT_EQ(registry.find(digest("s1"), 0).principal->priority, core::Priority::low);
  EXPECT_EQ(registry.find(digest("s2"), 0).principal->priority, core::Priority::normal);
}

TEST(KeyRegistryTest, ARevocationOutlivesStaleReadsUntilTheFollowerPassesIt) {
  KeyRegistry registry(10);
  store::ApiKey revoked = key("key_a", "s1", 5);
  revoked.revoked_at_ms = 1;
  ASSERT_TRUE(registry.apply(key("key_a", "s1", 3)));
  ASSERT_TRUE(registry.apply(revoked));
  ASSERT_TRUE(registry.apply(key("key_a", "s1", 3)));  // stale: stays revoked
  EXPECT_EQ(registry.find(digest("s1"), 0).principal, nullptr);
  registry.set_followed_seq(5);
  EXPECT_EQ(registry.followed_seq(), 5);
  EXPECT_EQ(registry.find(digest("s1"), 0).principal, nullptr);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_TRUE(registry.ever_held());
}

TEST(KeyRegistryTest, HoldsAtMostMaxKeys) {
  KeyRegistry registry(2);
  EXPECT_TRUE(registry.apply(key("key_a", "a", 1)));
  EXPECT_TRUE(registry.apply(key("key_b", "b", 2)));
  EXPECT_FALSE(registry.apply(key("key_c", "c", 3)));
  EXPECT_EQ(registry.find(digest("c"), 0).principal, nullptr);
  EXPECT_TRUE(registry.apply(key("key_b", "b2", 4)));  // an update needs no room
  store::ApiKey revoked = key("key_a", "a", 5);
  revoked.revoked_at_ms = 1;
  EXPECT_TRUE(registry.apply(revoked));
  EXPECT_TRUE(registry.apply(key("key_c", "c", 6)));  // room again
  EXPECT_EQ(registry.size(), 2u);
}

TEST(KeyRegistryTest, APreviousSecretEndsWithItsOverlapOrTheKeysExpiry) {
  KeyRegistry registry(10);
  store::ApiKey k = key("key_a", "new", 1);
  k.previous_hash = to_hex(digest("old"));
  k.previous_valid_until_ms = 2000;
  k.expires_at_ms = 1500;
  ASSERT_TRUE(registry.apply(k));
  EXPECT_NE(registry.find(digest("old"), 1499).principal, nullptr);
  EXPECT_EQ(registry.find(digest("old"), 1500).expired_at_ms, 1500);
  EXPECT_EQ(registry.find(digest("new"), 1500).expired_at_ms, 1500);
}

TEST(KeyRegistryTest, RolesBecomePermissions) {
  const auto admin = static_cast<uint8_t>(core::Permission::admin);
  const auto ingest = static_cast<uint8_t>(core::Permission::ingest);
  const auto query = static_cast<uint8_t>(core::Permission::query);
  EXPECT_EQ(permissions_of({"admin"}), admin);
  EXPECT_EQ(permissions_of({"user"}), ingest | query);
  EXPECT_EQ(permissions_of({"ingest", "query"}), ingest | query);
  EXPECT_EQ(permissions_of({"readonly", "bogus"}), 0);
  core::Principal principal;
  principal.permissions = admin;
  EXPECT_TRUE(principal.has(core::Permission::ingest));
  principal.permissions = query;
  EXPECT_FALSE(principal.has(core::Permission::ingest));
  principal.models = {"fast"};
  EXPECT_TRUE(principal.may_use_model("fast"));
  EXPECT_FALSE(principal.may_use_model("gpt-4o"));
  EXPECT_TRUE(principal.may_use_collection("anything"));
}

}  // namespace
}  // namespace sluice::auth
