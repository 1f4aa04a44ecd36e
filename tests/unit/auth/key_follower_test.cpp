#include "auth/key_follower.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

// The store's change log of keys, as KeyStore::changed_since reads it.
class FakeKeyStore final : public store::KeyStore {
 public:
  void write(store::ApiKey key) {
    key.change_seq = ++seq_;
    std::erase_if(log_, [&](const store::ApiKey& k) { return k.id == key.id; });
    log_.push_back(std::move(key));
  }
  bool fail = false;

  Result<store::ApiKey> create(store::ApiKey) override { return make_error(Errc::internal, "-"); }
  Result<store::ApiKey> get(const std::string&) override { return make_error(Errc::internal, "-"); }
  Result<store::Page<store::ApiKey>> list(const std::string&, int) override {
    return make_error(Errc::internal, "-");
  }
  Result<store::ApiKey> update(store::ApiKey) override { return make_error(Errc::internal, "-"); }
  Result<std::vector<store::ApiKey>> changed_since(int64_t seq, int limit) override {
    if (fail) return make_error(Errc::unavailable, "database is locked");
    std::vector<store::ApiKey> out;
    for (const store::ApiKey& key : log_)
      if (key.change_seq > seq && static_cast<int>(out.size()) < limit) out.push_back(key);
    return out;
  }

 private:
  int64_t seq_ = 0;
  std::vector<store::ApiKey> log_;
};

store::ApiKey key(const std::string& id, const std::string& secret) {
  store::ApiKey k;
  k.id = id;
  Digest d;
  digest_of(secret, d);
  k.secret_hash = to_hex(d);
  return k;
}

bool known(const KeyRegistry& registry, const std::string& secret) {
  Digest d;
  digest_of(secret, d);
  return registry.find(d, 0).principal != nullptr;
}

TEST(KeyFollowerTest, FollowsCreationsChangesAndRevocationsInPages) {
  FakeKeyStore store;
  KeyRegistry registry(5000);
  KeyFollower follower(store, registry);
  for (int i = 0; i < 2500; ++i) store.write(key("key_" + std::to_string(i), std::to_string(i)));
  ASSERT_TRUE(follower.catch_up());
  EXPECT_EQ(registry.size(), 2500u);  // three pages of 1000
  EXPECT_EQ(registry.followed_seq(), 2500);
  store::ApiKey revoked = key("key_7", "7");
  revoked.revoked_at_ms = 1;
  store.write(revoked);
  store.write(key("key_8", "8-rotated"));
  ASSERT_TRUE(follower.catch_up());
  EXPECT_FALSE(known(registry, "7"));
  EXPECT_FALSE(known(registry, "8"));
  EXPECT_TRUE(known(registry, "8-rotated"));
  EXPECT_EQ(registry.size(), 2499u);
  store.fail = true;
  EXPECT_FALSE(follower.catch_up());
  EXPECT_EQ(registry.followed_seq(), 2502);
}

}  // namespace
}  // namespace sluice::auth
