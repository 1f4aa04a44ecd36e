#pragma once
// Tenant isolation at the API's edge: the scope of the caller, and lookups that see only it.
// Runs store calls: call on the blocking pool.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/exchange.hpp"
#include "store/store.hpp"
#include "store/tenant_scope.hpp"

namespace sluice::api {

inline store::TenantScope scope_of(const http::Exchange& exchange) {
  return store::TenantScope::of(exchange.principal.get());
}

// The collection `id_or_name` as the caller may see it (store::visible).
Result<store::Collection> find_collection(store::Store& store, const store::TenantScope& scope,
                                          std::string_view id_or_name);

// For an object found by id (a job, a session): success when the scope covers its collection;
// otherwise `missing`, the object's own not-found, so that another tenant's object answers
// exactly like none (or the allow-list's 403).
Status check_owner(store::Store& store, const store::TenantScope& scope,
                   const std::string& collection_id, Error missing);

}  // namespace sluice::api
