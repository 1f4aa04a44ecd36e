// Env and CLI overrides, each checked against the key paths the schema allows before it is set
// in the raw tree.

#include "core/config_overrides.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/config.hpp"
#include "core/config_schema.hpp"
#include "core/strings.hpp"

namespace sluice::core::detail {
namespace {

constexpr std::string_view kEnvPrefix = "SLUICE_";
// SLUICE_* variables that steer loading itself rather than naming a key.
constexpr std::string_view kNonKeyEnv[] = {"SLUICE_CONFIG", "SLUICE_ENV"};
// Bounds list indexes from env/overrides so a typo cannot allocate millions of entries.
constexpr std::size_t kMaxListIndex = 1000;
// Stands for any entry name of a mapping whose names the user chooses (config_schema's map).
constexpr std::string_view kAnyEntry = "<name>";

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Valid key paths, derived from the schema, for checking env and CLI overrides before applying.

class PathCollector {
 public:
  template <class F>
  void section(std::string_view name, F&& fn) {
    push(name);
    fn();
    pop();
  }
  template <class T, class F>
  void list(std::string_view name, std::vector<T>&, F&& fn) {
    push(name);
    push("*");
    T item;
    fn(item);
    pop();
    pop();
  }
  template <class T>
  void field(std::string_view name, T&) {
    push(name);
    if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      push("*");
      pop();
    }
    pop();
  }
  void bytes(std::string_view name, std::size_t&) { leaf(name); }
  void secret(std::string_view name, std::string&) {
    leaf(name);
    leaf(std::string(name) + "_file");
  }
  void map(std::string_view name, std::map<std::string, std::string>&) {
    push(name);
    leaf(kAnyEntry);
    pop();
  }
  void secret_map(std::string_view name, std::map<std::string, std::string>& entries) {
    map(name, entries);  // `<entry>_file` is an entry name too
  }

  // Every path and every prefix of one, with "*" standing for a list index.
  const std::vector<std::string>& patterns() const { return patterns_; }
  bool contains(const std::string& pattern) const {
    return std::find(patterns_.begin(), patterns_.end(), pattern) != patterns_.end();
  }

 private:
  void leaf(std::string_view name) {
    push(name);
    pop();
  }
  void push(std::string_view name) {
    stack_.push_back(join(stack_.empty() ? "" : stack_.back(), name));
    patterns_.push_back(stack_.back());
  }
  void pop() { stack_.pop_back(); }

  std::vector<std::string> stack_;
  std::vector<std::string> patterns_;
};

const PathCollector& known_paths() {
  static const PathCollector paths = [] {
    PathCollector collector;
    Config scratch;
    describe_config(collector, scratch);
    return collector;
  }();
  return paths;
}

// "auth.api_keys.0.key" -> "auth.api_keys.*.key"; an entry of a mapping of chosen names
// ("gateway.providers.0.headers.x-team") -> "gateway.providers.*.headers.<name>".
std::string to_pattern(const std::vector<std::string>& segments) {
  std::string out;
  for (const std::string& s : segments) {
    const std::string named = join(out, is_index(s) ? "*" : s);
    const std::string any_entry = join(out, kAnyEntry);
    out = !known_paths().contains(named) && known_paths().contains(any_entry) ? any_entry : named;
  }
  return out;
}

// The suggested pattern with the caller's list indexes put back in.
std::vector<std::string> fill_indexes(const std::string& pattern,
                                      const std::vector<std::string>& given) {
  std::vector<std::string> indexes;
  for (const std::string& s : given) {
    if (is_index(s)) indexes.push_back(s);
  }
  std::vector<std::string> out = split(pattern, ".");
  std::size_t next = 0;
  for (std::string& s : out) {
    if (s == "*") s = next < indexes.size() ? indexes[next++] : "0";
  }
  return out;
}

std::optional<std::vector<std::string>> suggest_path(const std::vector<std::string>& given) {
  std::optional<std::string> best = closest(to_pattern(given), known_paths().patterns());
  if (!best) return std::nullopt;
  return fill_indexes(*best, given);
}

std::string env_name(const std::vector<std::string>& segments) {
  std::string out(kEnvPrefix);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += "__";
    out += upper(segments[i]);
  }
  return out;
}

std::string dotted(const std::vector<std::string>& segments) {
  std::string out;
  for (const std::string& s : segments) out = join(out, s);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Env and CLI overrides.

// Sets the value at `segments`, creating maps and list slots on the way; an override replaces
// whatever subtree the file had there. Returns the value's node.
RawNode& set_path(RawNode& root, const std::vector<std::string>& segments, const std::string& value,
                  Origin origin, const std::string& where) {
  const auto fresh = [&](RawNode::Kind kind) {
    RawNode n;
    n.kind = kind;
    n.origin = origin;
    n.where = where;
    return n;
  };
  RawNode* node = &root;
  for (const std::string& segment : segments) {
    if (is_index(segment)) {
      if (node->kind != RawNode::Kind::seq) *node = fresh(RawNode::Kind::seq);
      const std::size_t index = std::stoul(segment);
      while (node->items.size() <= index) {
        node->items.push_back(fresh(RawNode::Kind::null));
        node->items.back().placeholder = true;
      }
      node = &node->items[index];
    } else {
      if (node->kind != RawNode::Kind::map) *node = fresh(RawNode::Kind::map);
      RawNode* child = find(*node, segment);
      if (child == nullptr) {
        node->entries.push_back({segment, fresh(RawNode::Kind::null)});
        child = &node->entries.back().value;
      }
      node = child;
    }
  }
  *node = fresh(RawNode::Kind::scalar);
  node->scalar = value;
  return *node;
}

// Checks an override's path against the schema; on failure records an error under `label`.
bool check_override_path(const std::vector<std::string>& segments, const std::string& label,
                         bool as_env, Errors& errors) {
  const bool malformed = std::any_of(segments.begin(), segments.end(),
                                     [](const std::string& s) { return s.empty() || s == "*"; });
  if (malformed) {
    errors.push_back({label, "is not a valid key path",
                      as_env
                          ? "separate levels with a double underscore, e.g. SLUICE_SERVER__LISTEN"
                          : "separate levels with dots, e.g. server.listen"});
    return false;
  }
  for (const std::string& s : segments) {
    if (is_index(s) && std::stoul(s) >= kMaxListIndex) {
      errors.push_back(
          {label, "list index " + s + " is too large", "list indexes start at 0 and have no gaps"});
      return false;
    }
  }
  if (known_paths().contains(to_pattern(segments))) return true;
  std::string fix = "see the configuration reference for valid keys";
  if (std::optional<std::vector<std::string>> best = suggest_path(segments)) {
    fix = "did you mean " + (as_env ? env_name(*best) : dotted(*best)) + "?";
  }
  errors.push_back({label, "names unknown key " + dotted(segments), fix});
  return false;
}

}  // namespace

void apply_env_overrides(const Env& env, RawNode& root, Errors& errors) {
  for (const auto& [name, value] : env) {
    if (!name.starts_with(kEnvPrefix)) continue;
    if (std::find(std::begin(kNonKeyEnv), std::end(kNonKeyEnv), name) != std::end(kNonKeyEnv)) {
      continue;
    }
    std::vector<std::string> segments = split(name.substr(kEnvPrefix.size()), "__");
    for (std::string& s : segments) s = lower(s);
    // A single-level name (no "__") can't be a key; it is someone else's variable (SLUICE_BIN,
    // SLUICE_VERSION...) unless it looks like a mistyped key, which must still fail loudly.
    if (segments.size() == 1 && !suggest_path(segments)) continue;
    if (!check_override_path(segments, name, /*as_env=*/true, errors)) continue;
    set_path(root, segments, value, Origin::env, "from env " + name).env_var = name;
  }
}

void apply_cli_overrides(const std::map<std::string, std::string>& overrides, RawNode& root,
                         Errors& errors) {
  for (const auto& [path, value] : overrides) {
    std::vector<std::string> segments = split(path, ".");
    if (!check_override_path(segments, path, /*as_env=*/false, errors)) continue;
    set_path(root, segments, value, Origin::override_, "from override " + path);
  }
}

}  // namespace sluice::core::detail
