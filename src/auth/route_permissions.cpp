#include "auth/route_permissions.hpp"

namespace sluice::auth {
namespace {

bool under(std::string_view path, std::string_view prefix) {
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

bool is_admin_path(std::string_view path) { return under(path, "/v1/admin"); }

std::optional<core::Permission> required_permission(std::string_view method,
                                                    std::string_view path) {
  if (is_admin_path(path)) return core::Permission::admin;
  if (method == "GET" || method == "HEAD") return std::nullopt;
  if ((under(path, "/v1/collections") && !path.ends_with("/search")) || under(path, "/v1/jobs"))
    return core::Permission::ingest;
  return core::Permission::query;
}

std::string_view permission_name(core::Permission permission) {
  switch (permission) {
    case core::Permission::admin:
      return "admin";
    case core::Permission::ingest:
      return "ingest";
    case core::Permission::query:
      break;
  }
  return "query";
}

}  // namespace sluice::auth
