#include "store/tenant_scope.hpp"

#include "store/collection_store.hpp"

namespace sluice::store {
namespace {
const std::string kEmptyTenant;
}  // namespace

TenantScope TenantScope::of(const core::Principal* principal) {
  return TenantScope(principal, principal != nullptr && principal->has(core::Permission::admin));
}

const std::string& TenantScope::tenant() const {
  return principal_ != nullptr ? principal_->tenant : kEmptyTenant;
}

std::string TenantScope::key(std::string_view id_or_name) const {
  if (id_or_name.starts_with("col_")) return std::string(id_or_name);
  return collection_key(tenant(), id_or_name);
}

std::optional<std::string> TenantScope::listed_tenant() const {
  if (all_tenants_) return std::nullopt;
  return tenant();
}

Result<Collection> visible(const TenantScope& scope, Result<Collection> found,
                           std::string_view requested) {
  if (!found) return found;
  if (!scope.sees(*found)) return collection_not_found(requested);
  if (!scope.may_use(*found))
    return make_error(Errc::forbidden, "this API key may not use collection '" + found->name + "'",
                      "collection", "collection_not_allowed");
  return found;
}

}  // namespace sluice::store
