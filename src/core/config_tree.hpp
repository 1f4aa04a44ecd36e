#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

// The raw configuration tree that the loading stages (config_loader.cpp) build and transform
// before binding, with the helpers those stages share.
namespace sluice::core::detail {

using Env = std::map<std::string, std::string>;
using Errors = std::vector<ConfigError>;

enum class Origin { file, env, override_ };

// The configuration as an untyped tree, before binding. Kept separate from yaml-cpp's nodes so
// that every value remembers where it came from (for error messages and the prod secret rule).
struct RawEntry;
struct RawNode {
  enum class Kind { null, scalar, map, seq };
  Kind kind = Kind::null;
  std::string scalar;
  std::vector<RawEntry> entries;  // kind == map, in file order
  std::vector<RawNode> items;     // kind == seq
  Origin origin = Origin::file;
  std::string where;          // "at sluice.yaml:12", "from env SLUICE_X", "from override a.b"
  bool placeholder = false;   // list slot created only to reach a higher index
  bool from_env_var = false;  // interpolation took part of the value from the environment
  bool from_default = false;  // interpolation used the non-empty default of a ${VAR:-default}
  bool interpolation_failed = false;  // already reported; the value is not usable
  // The variable the whole value came from: the SLUICE_* override, or the ${VAR} that is the
  // entire value. Empty when any part of it is written in the file.
  std::string env_var;
};
struct RawEntry {
  std::string key;
  RawNode value;
};

// The child named `key` of a mapping node, or nullptr.
RawNode* find(RawNode& node, std::string_view key);
const RawNode* find(const RawNode& node, std::string_view key);

// `key` appended to the dotted key path `path`.
std::string join(const std::string& path, std::string_view key);
// `message` followed by " (where)" when `where` is known.
std::string with_where(std::string message, const std::string& where);
// Whether a key path segment is a list index.
bool is_index(std::string_view s);
// The pieces of `s` between occurrences of `separator`, empty ones included.
std::vector<std::string> split(std::string_view s, std::string_view separator);
// The candidate a typo most likely meant, if any is close enough to be worth suggesting.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& options);

// The whole content of `path`, or nullopt with the reason in `why` (also when it is larger than
// `max_bytes`: config files and secrets are small).
inline constexpr std::size_t kMaxConfigFileBytes = 4 << 20;
std::optional<std::string> read_whole_file(const std::string& path, std::string& why,
                                           std::size_t max_bytes = kMaxConfigFileBytes);

// Reads `file` into `root`, always a mapping. Returns false when the file could not be used at
// all (missing, unreadable, invalid YAML).
bool load_yaml_file(const std::string& file, RawNode& root, Errors& errors);
// As load_yaml_file, from YAML text already read; `file` names it in errors.
bool load_yaml_text(const std::string& text, const std::string& file, RawNode& root,
                    Errors& errors);

// Expands ${VAR}, ${VAR:-default} and $$ in every scalar under `node`, whose key path is `path`.
void interpolate(RawNode& node, const std::string& path, const Env& env, Errors& errors);

}  // namespace sluice::core::detail
