#pragma once
// Tenant isolation's one check, made wherever a request names a collection or an object of one
// (document, job, session): which tenants' collections the caller sees.

#include <optional>
#include <string>
#include <string_view>

#include "core/principal.hpp"
#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

class TenantScope {
 public:
  // The caller's: its tenant's collections, every tenant's for an admin, within its key's
  // collection allow-list. Null (authentication off): the empty tenant's. `principal` must outlive
  // the scope (the exchange holds it).
  static TenantScope of(const core::Principal* principal);
  // Every tenant's, finding names in the empty tenant: for the process's own work.
  static TenantScope everyone() { return TenantScope(nullptr, true); }

  // Where it creates collections and finds them by name.
  const std::string& tenant() const;
  bool all_tenants() const { return all_tenants_; }
  // What the store finds `id_or_name` by: an id as it is, a name within the tenant.
  std::string key(std::string_view id_or_name) const;
  // Whether the collection is one of the caller's tenants'.
  bool sees(const Collection& collection) const {
    return all_tenants_ || collection.tenant == tenant();
  }
  // Whether the key's allow-list lets it use the collection.
  bool may_use(const Collection& collection) const {
    return principal_ == nullptr || principal_->may_use_collection(collection.name);
  }
  // The tenant a listing shows; nullopt: every tenant's.
  std::optional<std::string> listed_tenant() const;

 private:
  TenantScope(const core::Principal* principal, bool all_tenants)
      : principal_(principal), all_tenants_(all_tenants) {}
  const core::Principal* principal_;
  bool all_tenants_;
};

// `found` when the scope sees and may use it. Another tenant's collection answers exactly like a
// missing one (not_found naming `requested`): its existence is not the caller's to learn. One the
// key's allow-list leaves out is a 403 (forbidden, code collection_not_allowed).
Result<Collection> visible(const TenantScope& scope, Result<Collection> found,
                           std::string_view requested);

}  // namespace sluice::store
