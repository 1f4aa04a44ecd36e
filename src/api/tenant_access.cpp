#include "api/tenant_access.hpp"

namespace sluice::api {

Result<store::Collection> find_collection(store::Store& store, const store::TenantScope& scope,
                                          std::string_view id_or_name) {
  return store::visible(scope, store.collections().get(scope.key(id_or_name)), id_or_name);
}

Status check_owner(store::Store& store, const store::TenantScope& scope,
                   const std::string& collection_id, Error missing) {
  auto owner = store::visible(scope, store.collections().get(collection_id), collection_id);
  if (owner) return Status::success();
  if (owner.error().code == Errc::not_found) return missing;
  return owner.error();
}

}  // namespace sluice::api
