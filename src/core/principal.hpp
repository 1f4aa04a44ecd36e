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
  uint8_t permissions = 0;
  bool read_only = false;                // the config file's `readonly` role: GET and HEAD only
  std::vector<std::string> models;       // models and aliases it may call; empty = any
  std::vector<std::string> collections;  // collections it may use; empty = any
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

}  // namespace sluice::core
