#pragma once

#include <optional>
#include <string_view>

#include "core/principal.hpp"

namespace sluice::auth {

// True for /v1/admin and everything under it.
bool is_admin_path(std::string_view path);

// The permission a request needs beyond a valid key: admin for /v1/admin; for other writes,
// ingest to change collections, documents and jobs, query for everything else (models, search,
// answers, sessions, responses); nothing for reads (GET, HEAD). `path` is the matched route
// template, or the raw path when none matched.
std::optional<core::Permission> required_permission(std::string_view method, std::string_view path);

// The permission's name, for error messages.
std::string_view permission_name(core::Permission permission);

}  // namespace sluice::auth
