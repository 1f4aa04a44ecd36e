#include "store/tenant_scope.hpp"

#include <gtest/gtest.h>

#include "store/collection_store.hpp"

namespace sluice::store {
namespace {

core::Principal member(std::string tenant, uint8_t permissions = 0,
                       std::vector<std::string> collections = {}) {
  core::Principal p;
  p.tenant = std::move(tenant);
  p.permissions = permissions;
  p.collections = std::move(collections);
  return p;
}

Collection collection(std::string tenant, std::string name) {
  Collection c;
  c.id = "col_1";
  c.name = std::move(name);
  c.tenant = std::move(tenant);
  return c;
}

TEST(TenantScope, KeysQualifyNamesWithTheTenantAndLeaveIdsAlone) {
  const core::Principal alpha = member("alpha");
  const TenantScope scope = TenantScope::of(&alpha);
  EXPECT_EQ(scope.key("docs"), "alpha/docs");
  EXPECT_EQ(scope.key("col_abc"), "col_abc");
  EXPECT_EQ(TenantScope::of(nullptr).key("docs"), "docs");
  EXPECT_EQ(collection_key("", "docs"), "docs");
  EXPECT_EQ(collection_name_of("key:key_1/docs"), "docs");
  EXPECT_EQ(collection_name_of("docs"), "docs");
}

TEST(TenantScope, AnotherTenantsCollectionIsNotFoundLikeAMissingOne) {
  const core::Principal beta = member("beta");
  const TenantScope scope = TenantScope::of(&beta);
  EXPECT_FALSE(scope.sees(collection("alpha", "docs")));
  auto hidden = visible(scope, collection("alpha", "docs"), "col_1");
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, Errc::not_found);
  EXPECT_EQ(hidden.error().message, collection_not_found("col_1").message);
  EXPECT_TRUE(visible(scope, collection("beta", "docs"), "docs"));
  EXPECT_EQ(scope.listed_tenant(), std::optional<std::string>("beta"));
}

TEST(TenantScope, AdminsSeeEveryTenantAndListThemAll) {
  const core::Principal admin = member("", static_cast<uint8_t>(core::Permission::admin));
  const TenantScope scope = TenantScope::of(&admin);
  EXPECT_TRUE(scope.all_tenants());
  EXPECT_TRUE(scope.sees(collection("alpha", "docs")));
  EXPECT_EQ(scope.listed_tenant(), std::nullopt);
  EXPECT_EQ(scope.key("docs"), "docs");  // names resolve in its own tenant
}

TEST(TenantScope, TheAllowListRefusesWithA403WithinTheTenant) {
  const core::Principal narrow = member("alpha", 0, {"docs"});
  const TenantScope scope = TenantScope::of(&narrow);
  EXPECT_TRUE(visible(scope, collection("alpha", "docs"), "docs"));
  auto refused = visible(scope, collection("alpha", "other"), "other");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::forbidden);
  EXPECT_EQ(refused.error().code_detail, "collection_not_allowed");
  // Another tenant's stays a 404, allow-list or not.
  EXPECT_EQ(visible(scope, collection("beta", "docs"), "x").error().code, Errc::not_found);
}

TEST(TenantScope, TenantsOfKeys) {
  EXPECT_EQ(core::tenant_of("alpha", "key:", "key_1"), "alpha");
  EXPECT_EQ(core::tenant_of("", "key:", "key_1"), "key:key_1");
  EXPECT_EQ(core::tenant_of("", "key:", ""), "");
  EXPECT_TRUE(core::is_valid_team("team-a.b_c"));
  for (std::string_view bad :
       {std::string_view(""), std::string_view("a/b"), std::string_view("key:x"),
        std::string_view("a b"), std::string_view("a\0b", 3)})
    EXPECT_FALSE(core::is_valid_team(bad)) << bad;
  EXPECT_FALSE(core::is_valid_team(std::string(65, 'a')));
}

}  // namespace
}  // namespace sluice::store
