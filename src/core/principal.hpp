#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

// What an API key may do. A key holds a set of these; reads (GET/HEAD) outside /v1/admin need
// none beyond being a valid key.
enum class Permission : uint8_t {
  admin = 1,   // /v1/admin, and everything else
  ingest = 2,  // write collections, documents and jobs
  query = 4,   // call models, search, ask, hold sessions
};

// Admission order under overload: a full queue refuses the lowest class first.
enum class Priority : uint8_t { low = 0, normal = 1, high = 2 };
inline constexpr std::size_t kPriorityCount = 3;

inline std::string_view to_string(Priority priority) {
  constexpr std::string_view kNames[] = {"low", "normal", "high"};
  return kNames[static_cast<std::size_t>(priority)];
}
// "low", "normal" or "high"; nullopt for anything else.
inline std::optional<Priority> parse_priority(std::string_view text) {
  for (Priority p : {Priority::low, Priority::normal, Priority::high})
    if (text == to_string(p)) return p;
  return std::nullopt;
}

// Who a request acts as, set by authentication from a configured key or a virtual key of the
// store. Immutable once published: a key's update publishes a new one.
struct Principal {
  std::string key_id;  // the virtual key's id; empty for a key from the config file
  std::string name;    // for logs and usage: the key's name, or its config position
  std::string team;    // empty: the key is a tenant of its own
  // Whose collections (and their documents, jobs and sessions) it works in: tenant_of().
  std::string tenant;
  uint8_t permissions = 0;
  bool read_only = false;                // the config file's `readonly` role: GET and HEAD only
  std::vector<std::string> models;       // models and aliases it may call; empty = any
  std::vector<std::string> collections;  // collections it may use; empty = any
  int64_t daily_budget_micro_usd = 0;    // 0 = none; spend is recorded for virtual keys only
  int64_t monthly_budget_micro_usd = 0;
  int64_t requests_per_minute = 0;       // its own rate limits; 0 = the configured default
  int64_t tokens_per_minute = 0;         // per model
  Priority priority = Priority::normal;  // its requests' admission class under overload
  std::string log_field;                 // pre-rendered `,"key_name":"..."` for the access log

  bool has(Permission permission) const {
    const auto bit = static_cast<uint8_t>(permission);
    return (permissions & static_cast<uint8_t>(Permission::admin)) != 0 || (permissions & bit) != 0;
  }
  bool may_use_model(std::string_view model) const { return allows(models, model); }
  bool may_use_collection(std::string_view name) const { return allows(collections, name); }

 private:
  static bool allows(const std::vector<std::string>& allowed, std::string_view name) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), name) != allowed.end();
  }
};

// A team name: 1 to 64 of A-Z a-z 0-9 . _ -, so that it cannot be mistaken for another kind of
// tenant or break a collection key.
inline bool is_valid_team(std::string_view team) {
  if (team.empty() || team.size() > 64) return false;
  for (char c : team)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}

// A key's tenant: its team; else its own ("key:<id>" for a virtual key); the config file's keys
// with no team share the empty tenant, as does everyone while authentication is off. Team names
// have no ':' or '/', so the three never meet.
inline std::string tenant_of(std::string_view team, std::string_view own_prefix,
                             std::string_view own_id) {
  if (!team.empty() || own_id.empty()) return std::string(team);
  std::string tenant(own_prefix);
  tenant.append(own_id);
  return tenant;
}

}  // namespace sluice::core
