// Configuration pipeline: YAML file -> SLUICE_* env overrides -> CLI overrides -> ${VAR}
// interpolation -> bind through the schema (reading *_file secrets) -> profile rules and
// validation. Every stage appends to one error list so that an operator sees all problems in one
// run.

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/config_schema.hpp"
#include "core/config_values.hpp"
#include "core/provider_discovery.hpp"

namespace sluice::core {
namespace {

using Env = std::map<std::string, std::string>;
using Errors = std::vector<ConfigError>;

constexpr std::string_view kEnvPrefix = "SLUICE_";
// SLUICE_* variables that steer loading itself rather than naming a key.
constexpr std::string_view kNonKeyEnv[] = {"SLUICE_CONFIG", "SLUICE_ENV"};
// Bounds list indexes from env/overrides so a typo cannot allocate millions of entries.
constexpr std::size_t kMaxListIndex = 1000;

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
};
struct RawEntry {
  std::string key;
  RawNode value;
};

RawNode* find(RawNode& node, std::string_view key) {
  for (RawEntry& e : node.entries) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}
const RawNode* find(const RawNode& node, std::string_view key) {
  return find(const_cast<RawNode&>(node), key);
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string with_where(std::string message, const std::string& where) {
  return where.empty() ? message : message + " (" + where + ")";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_index(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> split(std::string_view s, std::string_view separator) {
  std::vector<std::string> out;
  for (;;) {
    const std::size_t at = s.find(separator);
    out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + separator.size());
  }
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so that
// "listne" is one edit from "listen".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The candidate a typo most likely meant, if any is close enough to be worth suggesting.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& options) {
  const std::size_t allowed = word.size() <= 4 ? 1 : word.size() <= 10 ? 2 : 3;
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& option : options) {
    const std::size_t distance = edit_distance(word, option);
    if (distance < best_distance) {
      best_distance = distance;
      best = option;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Reading the YAML file.

std::optional<std::string> read_whole_file(const std::string& path, std::string& why) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    why = "is a directory";
    return std::nullopt;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  std::string content;
  char buffer[8192];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) content.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  const int read_errno = errno;
  std::fclose(f);
  if (failed) {
    why = std::strerror(read_errno);
    return std::nullopt;
  }
  return content;
}

std::string yaml_where(const std::string& file, const YAML::Mark& mark) {
  return mark.line >= 0 ? "at " + file + ":" + std::to_string(mark.line + 1) : "in " + file;
}

RawNode from_yaml(const YAML::Node& node, const std::string& file, const std::string& path,
                  Errors& errors) {
  RawNode out;
  out.origin = Origin::file;
  out.where = yaml_where(file, node.Mark());
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      break;
    case YAML::NodeType::Scalar:
      out.kind = RawNode::Kind::scalar;
      out.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      out.kind = RawNode::Kind::seq;
      for (std::size_t i = 0; i < node.size(); ++i) {
        out.items.push_back(from_yaml(node[i], file, join(path, std::to_string(i)), errors));
      }
      break;
    case YAML::NodeType::Map:
      out.kind = RawNode::Kind::map;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
          errors.push_back({path, with_where("keys must be plain names", out.where), ""});
          continue;
        }
        const std::string key = it->first.Scalar();
        const std::string key_path = join(path, key);
        if (find(out, key) != nullptr) {
          errors.push_back({key_path,
                            with_where("duplicate key", yaml_where(file, it->first.Mark())),
                            "keep only one " + key + " entry"});
          continue;
        }
        out.entries.push_back({key, from_yaml(it->second, file, key_path, errors)});
      }
      break;
  }
  return out;
}

// Returns false when the file could not be used at all (missing, unreadable, invalid YAML).
bool load_yaml_file(const std::string& file, RawNode& root, Errors& errors) {
  std::string why;
  std::optional<std::string> text = read_whole_file(file, why);
  if (!text) {
    errors.push_back({file, "cannot read config file: " + why,
                      "check the path given by --config or SLUICE_CONFIG"});
    return false;
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    std::string location = file;
    std::string message = "invalid YAML: " + e.msg;
    if (e.mark.line >= 0) {
      const std::string line = std::to_string(e.mark.line + 1);
      const std::string column = std::to_string(e.mark.column + 1);
      location += ":" + line + ":" + column;
      message = "invalid YAML at line " + line + ", column " + column + ": " + e.msg;
    }
    errors.push_back({location, message, "fix the YAML syntax near that line"});
    return false;
  }
  root = from_yaml(doc, file, "", errors);
  if (root.kind == RawNode::Kind::null) {
    root.kind = RawNode::Kind::map;  // an empty file means "all defaults"
  } else if (root.kind != RawNode::Kind::map) {
    errors.push_back({file, with_where("the top level must be a mapping of sections", root.where),
                      "start the file with a section such as 'server:'"});
    root = RawNode{};
    root.kind = RawNode::Kind::map;
  }
  return true;
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

// "auth.api_keys.0.key" -> "auth.api_keys.*.key".
std::string to_pattern(const std::vector<std::string>& segments) {
  std::string out;
  for (const std::string& s : segments) out = join(out, is_index(s) ? "*" : s);
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
// whatever subtree the file had there.
void set_path(RawNode& root, const std::vector<std::string>& segments, const std::string& value,
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
    set_path(root, segments, value, Origin::env, "from env " + name);
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

// ---------------------------------------------------------------------------------------------
// ${VAR} interpolation.

bool valid_var_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Expands ${VAR}, ${VAR:-default} (default also used when VAR is empty, as in the shell) and $$.
void interpolate_scalar(RawNode& node, const std::string& path, const Env& env, Errors& errors) {
  const std::string& in = node.scalar;
  if (in.find('$') == std::string::npos) return;
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char next = i + 1 < in.size() ? in[i + 1] : '\0';
    if (in[i] != '$' || (next != '$' && next != '{')) {
      out += in[i];
      continue;
    }
    if (next == '$') {
      out += '$';
      ++i;
      continue;
    }
    const std::size_t close = in.find('}', i + 2);
    if (close == std::string::npos) {
      errors.push_back({path, with_where("unterminated ${ in value", node.where),
                        "close it with '}', or write $$ for a literal $"});
      return;
    }
    const std::string_view inner = std::string_view(in).substr(i + 2, close - i - 2);
    const std::size_t dash = inner.find(":-");
    const std::string name(inner.substr(0, dash));
    if (!valid_var_name(name)) {
      errors.push_back(
          {path, with_where("invalid variable name in ${" + std::string(inner) + "}", node.where),
           "use ${NAME} or ${NAME:-default}; write $$ for a literal $"});
      return;
    }
    const auto it = env.find(name);
    if (it != env.end() && (dash == std::string_view::npos || !it->second.empty())) {
      out += it->second;
      node.from_env_var = true;
    } else if (dash != std::string_view::npos) {
      out += inner.substr(dash + 2);
    } else {
      errors.push_back({path,
                        with_where("environment variable " + name + " is not set", node.where),
                        "set " + name + ", or give a default: ${" + name + ":-value}"});
      return;
    }
    i = close;
  }
  node.scalar = std::move(out);
}

void interpolate(RawNode& node, const std::string& path, const Env& env, Errors& errors) {
  switch (node.kind) {
    case RawNode::Kind::scalar:
      interpolate_scalar(node, path, env, errors);
      break;
    case RawNode::Kind::map:
      for (RawEntry& e : node.entries) interpolate(e.value, join(path, e.key), env, errors);
      break;
    case RawNode::Kind::seq:
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        interpolate(node.items[i], join(path, std::to_string(i)), env, errors);
      }
      break;
    case RawNode::Kind::null:
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Binding the tree to Config through the schema.

class Binder {
 public:
  Binder(const RawNode& root, Errors& errors) : errors_(errors) { frames_.push_back({&root, ""}); }

  // Reports unknown top-level sections; call once after describe_config.
  void finish() { check_unknown(frames_.front()); }

  // Key paths that were given a value, with where each came from.
  const std::map<std::string, std::string>& given() const { return given_; }
  // Secret paths whose value was written literally in the YAML file.
  const std::vector<std::string>& inline_secrets() const { return inline_secrets_; }

  template <class F>
  void section(std::string_view name, F&& fn) {
    const RawNode* node = enter(name);
    if (node == nullptr || node->kind == RawNode::Kind::null) return;  // "server:" alone is fine
    const std::string path = child_path(name);
    if (node->kind != RawNode::Kind::map) {
      kind_error(path, *node, "a mapping of keys");
      return;
    }
    frames_.push_back({node, path});
    fn();
    check_unknown(frames_.back());
    frames_.pop_back();
  }

  template <class T, class F>
  void list(std::string_view name, std::vector<T>& out, F&& fn) {
    const RawNode* node = enter(name);
    if (node == nullptr) return;
    const std::string path = child_path(name);
    given_[path] = node->where;
    if (node->kind == RawNode::Kind::null) {
      out.clear();
      return;
    }
    if (node->kind != RawNode::Kind::seq) {
      kind_error(path, *node, "a list");
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < node->items.size(); ++i) {
      const RawNode& item = node->items[i];
      const std::string item_path = join(path, std::to_string(i));
      if (item.kind != RawNode::Kind::map) {  // includes slots skipped by an env index
        kind_error(item_path, item, "a mapping of keys");
        continue;
      }
      frames_.push_back({&item, item_path});
      out.emplace_back();
      fn(out.back());
      check_unknown(frames_.back());
      frames_.pop_back();
    }
  }

  template <class T>
  void field(std::string_view name, T& out) {
    const RawNode* node = enter(name);
    if (node == nullptr) return;
    const std::string path = child_path(name);
    given_[path] = node->where;
    if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      bind_string_list(path, *node, out);
    } else {
      if (!expect_scalar(path, *node, expected_kind(out))) return;
      convert(path, *node, out);
    }
  }

  void bytes(std::string_view name, std::size_t& out) {
    const RawNode* node = enter(name);
    if (node == nullptr) return;
    const std::string path = child_path(name);
    given_[path] = node->where;
    if (!expect_scalar(path, *node, "a size")) return;
    store(path, *node, parse_byte_size(node->scalar), out);
  }

  void secret(std::string_view name, std::string& out) {
    const std::string file_key = std::string(name) + "_file";
    const RawNode* value = enter(name);
    const RawNode* file = enter(file_key);
    const std::string path = child_path(name);
    const std::string file_path = child_path(file_key);
    if (value != nullptr && file != nullptr) {
      errors_.push_back({path, "both " + std::string(name) + " and " + file_key + " are set",
                         "keep only one of them"});
      return;
    }
    if (file != nullptr) {
      given_[path] = file->where;
      if (!expect_scalar(file_path, *file, "a file path")) return;
      read_secret_file(file_path, *file, out);
      return;
    }
    if (value == nullptr) return;
    given_[path] = value->where;
    // Never echo a secret's value in an error, so no convert() here.
    if (!expect_scalar(path, *value, "a string")) return;
    out = value->scalar;
    if (value->origin == Origin::file && !value->from_env_var && !out.empty()) {
      inline_secrets_.push_back(path);
    }
  }

 private:
  struct Frame {
    const RawNode* node;
    std::string path;
    std::vector<std::string> known = {};
  };

  const RawNode* enter(std::string_view name) {
    Frame& frame = frames_.back();
    frame.known.emplace_back(name);
    return find(*frame.node, name);
  }

  std::string child_path(std::string_view name) const { return join(frames_.back().path, name); }

  void check_unknown(const Frame& frame) {
    for (const RawEntry& e : frame.node->entries) {
      if (std::find(frame.known.begin(), frame.known.end(), e.key) != frame.known.end()) continue;
      std::string fix = "remove it; valid keys here:";
      for (const std::string& k : frame.known) fix += " " + k;
      if (std::optional<std::string> best = closest(e.key, frame.known)) {
        fix = "did you mean " + join(frame.path, *best) + "?";
      }
      errors_.push_back(
          {join(frame.path, e.key), with_where("unknown key", e.value.where), std::move(fix)});
    }
  }

  void kind_error(const std::string& path, const RawNode& node, std::string_view expected) {
    if (node.placeholder) return placeholder_error(path, node);
    const char* got = node.kind == RawNode::Kind::map    ? "a mapping"
                      : node.kind == RawNode::Kind::seq  ? "a list"
                      : node.kind == RawNode::Kind::null ? "nothing"
                                                         : "a single value";
    errors_.push_back({path,
                       with_where("expected " + std::string(expected) + ", got " + got, node.where),
                       node.kind == RawNode::Kind::null ? "give a value or remove the key" : ""});
  }

  void placeholder_error(const std::string& path, const RawNode& node) {
    errors_.push_back({path, with_where("missing list entry", node.where),
                       "list indexes start at 0 and have no gaps"});
  }

  bool expect_scalar(const std::string& path, const RawNode& node, std::string_view expected) {
    if (node.kind == RawNode::Kind::scalar) return true;
    kind_error(path, node, expected);
    return false;
  }

  static const char* expected_kind(const std::string&) { return "a string"; }
  static const char* expected_kind(const int&) { return "an integer"; }
  static const char* expected_kind(const bool&) { return "a boolean"; }
  static const char* expected_kind(const double&) { return "a number"; }
  static const char* expected_kind(const Millis&) { return "a duration"; }
  static const char* expected_kind(const LogLevel&) { return "a log level"; }
  static const char* expected_kind(const LogFormat&) { return "a log format"; }

  template <class T, class U>
  void store(const std::string& path, const RawNode& node, ValueResult<T> parsed, U& out) {
    if (!parsed) {
      errors_.push_back({path, with_where(parsed.error().message, node.where), ""});
      return;
    }
    out = static_cast<U>(*parsed);
  }

  void convert(const std::string&, const RawNode& node, std::string& out) { out = node.scalar; }
  void convert(const std::string& path, const RawNode& node, int& out) {
    ValueResult<long long> parsed = parse_integer(node.scalar);
    if (parsed &&
        (*parsed < std::numeric_limits<int>::min() || *parsed > std::numeric_limits<int>::max())) {
      parsed = ValueError{"integer '" + node.scalar + "' is out of range"};
    }
    store(path, node, std::move(parsed), out);
  }
  void convert(const std::string& path, const RawNode& node, double& out) {
    store(path, node, parse_number(node.scalar), out);
  }
  void convert(const std::string& path, const RawNode& node, bool& out) {
    store(path, node, parse_bool(node.scalar), out);
  }
  void convert(const std::string& path, const RawNode& node, Millis& out) {
    store(path, node, parse_duration(node.scalar), out);
  }
  void convert(const std::string& path, const RawNode& node, LogLevel& out) {
    store(path, node, parse_log_level(node.scalar), out);
  }
  void convert(const std::string& path, const RawNode& node, LogFormat& out) {
    store(path, node, parse_log_format(node.scalar), out);
  }

  void bind_string_list(const std::string& path, const RawNode& node,
                        std::vector<std::string>& out) {
    if (node.kind == RawNode::Kind::null) {
      out.clear();
      return;
    }
    if (node.kind == RawNode::Kind::scalar && node.origin != Origin::file) {
      // A single env var or flag can only carry a string, so it takes a comma-separated list.
      out.clear();
      for (std::string item : split(node.scalar, ",")) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) out.push_back(std::move(item));
      }
      return;
    }
    if (node.kind != RawNode::Kind::seq) {
      kind_error(path, node, "a list");
      if (node.kind == RawNode::Kind::scalar) errors_.back().fix = "write it as a list: [...]";
      return;
    }
    std::vector<std::string> items;
    bool ok = true;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      ok = expect_scalar(join(path, std::to_string(i)), node.items[i], "a string") && ok;
      if (ok) items.push_back(node.items[i].scalar);
    }
    if (ok) out = std::move(items);
  }

  void read_secret_file(const std::string& file_path, const RawNode& node, std::string& out) {
    std::string why;
    std::optional<std::string> content = read_whole_file(node.scalar, why);
    if (!content) {
      errors_.push_back(
          {file_path,
           with_where("cannot read secret file '" + node.scalar + "': " + why, node.where),
           "check that the file exists and is readable by this user"});
      return;
    }
    // Files written by `echo` or editors end with a newline that is not part of the secret.
    while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) {
      content->pop_back();
    }
    out = std::move(*content);
  }

  Errors& errors_;
  std::vector<Frame> frames_;
  std::map<std::string, std::string> given_;
  std::vector<std::string> inline_secrets_;
};

// ---------------------------------------------------------------------------------------------
// Profile defaults, listen address, validation and prod rules.

void apply_profile_defaults(Config& c) {
  if (c.profile == Profile::dev) {
    // Humans read dev logs; restarts should be instant.
    c.log.format = LogFormat::text;
    c.shutdown.drain_delay = Millis{0};
    c.shutdown.grace = Millis{10'000};
  } else {
    c.log.format = LogFormat::json;
    c.shutdown.drain_delay = Millis{5'000};
    c.shutdown.grace = Millis{30'000};
  }
}

// Adds errors for a key, noting where the offending value was given.
class Reporter {
 public:
  Reporter(Errors& errors, const std::map<std::string, std::string>& given)
      : errors_(errors), given_(given) {}
  void add(const std::string& path, std::string message, std::string fix) {
    const auto it = given_.find(path);
    errors_.push_back(
        {path, it == given_.end() ? message : with_where(message, it->second), std::move(fix)});
  }

 private:
  Errors& errors_;
  const std::map<std::string, std::string>& given_;
};

void resolve_listen(Config& c, const Env& env, bool listen_given, Reporter& report) {
  if (!listen_given) {
    const auto port = env.find("PORT");
    if (port != env.end() && !port->second.empty()) {
      ValueResult<uint16_t> parsed = parse_port(port->second);
      if (!parsed) {
        report.add("server.listen",
                   "environment variable PORT='" + port->second + "' is not a port number",
                   "set PORT to a number between 0 and 65535, or set server.listen");
        return;
      }
      // PaaS routers connect from outside the container, so loopback would be unreachable.
      c.server.listen = "0.0.0.0:" + std::to_string(*parsed);
    } else {
      c.server.listen = c.profile == Profile::dev ? "127.0.0.1:8080" : "0.0.0.0:8080";
    }
  }
  ValueResult<ListenAddress> address = parse_listen(c.server.listen);
  if (!address) {
    report.add("server.listen", address.error().message,
               "use host:port, e.g. 127.0.0.1:8080, [::1]:8080 or :8080");
    return;
  }
  c.server.host = address->host;
  c.server.port = address->port;
}

// Why `origin` is not a valid CORS origin, or nullopt if it is.
std::optional<std::string> origin_problem(std::string_view origin) {
  if (origin == "*") return std::nullopt;
  std::string_view rest;
  if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else {
    return "must be \"*\" or start with http:// or https://";
  }
  if (rest.find('/') != std::string_view::npos) {
    return "an origin has no path or trailing slash";
  }
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return "missing ']' in IPv6 host";
    host = rest.substr(0, close + 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "unexpected text after the host";
      port = rest.substr(close + 2);
      if (port.empty()) return "missing port after ':'";
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) return "missing port after ':'";
  }
  if (host.empty()) return "missing host";
  const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '[' ||
           c == ']' || c == ':';
  });
  if (!host_ok) return "host must be lowercase letters, digits, '.' and '-', as browsers send it";
  if (!port.empty()) {
    ValueResult<uint16_t> p = parse_port(port);
    if (!p || *p == 0) return "port must be a number between 1 and 65535";
  }
  return std::nullopt;
}

// A decimal as people write it: "0.5", "1e+06", not std::to_string's "0.500000".
std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// "'a', 'b' or 'c'": the valid choices, for a fix.
std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

// A fix for a reference to `kind` (provider, alias) that names nothing configured.
std::string choose_from(const std::vector<std::string>& names, std::string_view kind,
                        std::string_view section) {
  if (names.empty()) {
    return "no " + std::string(kind) + " is configured; add one under " + std::string(section);
  }
  return "use " + quoted_list(names) + ", or add it under " + std::string(section);
}

bool contains_name(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void validate_providers(const GatewayConfig& g, Reporter& report) {
  std::map<std::string, std::size_t> first_with_name;
  for (std::size_t i = 0; i < g.providers.size(); ++i) {
    const ProviderConfig& p = g.providers[i];
    const std::string path = "gateway.providers." + std::to_string(i);
    if (p.name.empty()) {
      report.add(path + ".name", "must not be empty",
                 "name the provider, e.g. openai: deployments and provider/model ids refer to it");
    } else if (p.name.find('/') != std::string::npos) {
      // Clients address a provider's models as "name/model", split at the first '/'.
      report.add(path + ".name", "'" + p.name + "' contains '/'",
                 "use a name without '/', e.g. " + p.name.substr(0, p.name.find('/')));
    } else if (const auto [it, inserted] = first_with_name.emplace(p.name, i); !inserted) {
      report.add(
          path + ".name",
          "'" + p.name + "' is also the name of gateway.providers." + std::to_string(it->second),
          "give every provider a distinct name");
    }
    const bool remote = p.type == "openai" || p.type == "anthropic";
    if (!remote && p.type != "mock") {
      report.add(path + ".type", "unknown provider type '" + p.type + "'",
                 "use openai (any OpenAI-compatible API), anthropic or mock");
    }
    if (remote && p.base_url.empty()) {
      report.add(path + ".base_url", "is required for type " + p.type,
                 p.type == "openai" ? "e.g. https://api.openai.com/v1"
                                    : "e.g. https://api.anthropic.com/v1");
    } else if (remote && !p.base_url.starts_with("https://") &&
               !p.base_url.starts_with("http://")) {
      report.add(path + ".base_url", "'" + p.base_url + "' must start with http:// or https://",
                 "write the full URL, e.g. https://api.openai.com/v1");
    }
    const std::pair<const char*, Millis> timeouts[] = {
        {".connect_timeout", p.connect_timeout},
        {".first_byte_timeout", p.first_byte_timeout},
        {".idle_timeout", p.idle_timeout},
        {".total_timeout", p.total_timeout}};
    for (const auto& [key, value] : timeouts) {
      if (value <= Millis{0}) report.add(path + key, "must be greater than 0", "e.g. 30s");
    }
    if (!(p.mock_error_rate >= 0 && p.mock_error_rate <= 1)) {
      report.add(path + ".mock_error_rate",
                 "must be between 0 and 1, got " + number_text(p.mock_error_rate),
                 "it is a probability: 0.05 fails one request in twenty");
    }
    if (p.mock_error_status < 400 || p.mock_error_status > 599) {
      report.add(
          path + ".mock_error_status",
          "must be an error status between 400 and 599, got " + std::to_string(p.mock_error_status),
          "e.g. 500, 503 or 429");
    }
    if (p.mock_chunks < 1) {
      report.add(path + ".mock_chunks", "must be at least 1, got " + std::to_string(p.mock_chunks),
                 "e.g. 8");
    }
  }
}

void validate_models(const GatewayConfig& g, const std::vector<std::string>& providers,
                     Reporter& report) {
  std::vector<std::string> aliases;
  for (const ModelAliasConfig& m : g.models) {
    if (!m.alias.empty() && !contains_name(aliases, m.alias)) aliases.push_back(m.alias);
  }
  std::map<std::string, std::size_t> first_with_alias;
  for (std::size_t i = 0; i < g.models.size(); ++i) {
    const ModelAliasConfig& m = g.models[i];
    const std::string path = "gateway.models." + std::to_string(i);
    if (m.alias.empty()) {
      report.add(path + ".alias", "must not be empty",
                 "set the model name clients send, e.g. alias: gpt-4o");
    } else if (const auto [it, inserted] = first_with_alias.emplace(m.alias, i); !inserted) {
      report.add(
          path + ".alias",
          "'" + m.alias + "' is also the alias of gateway.models." + std::to_string(it->second),
          "merge their deployments into one entry, or rename one");
    }
    if (m.strategy != "weighted" && m.strategy != "least_outstanding" &&
        m.strategy != "lowest_latency") {
      report.add(path + ".strategy", "unknown strategy '" + m.strategy + "'",
                 "use weighted, least_outstanding or lowest_latency");
    }
    if (m.deployments.empty()) {
      report.add(path + ".deployments", "must list at least one deployment",
                 "add e.g. {provider: openai, model: gpt-4o}");
    }
    for (std::size_t j = 0; j < m.deployments.size(); ++j) {
      const DeploymentConfig& d = m.deployments[j];
      const std::string dpath = path + ".deployments." + std::to_string(j);
      if (d.provider.empty()) {
        report.add(dpath + ".provider", "must not be empty",
                   choose_from(providers, "provider", "gateway.providers"));
      } else if (!contains_name(providers, d.provider)) {
        report.add(dpath + ".provider", "'" + d.provider + "' is not a configured provider",
                   choose_from(providers, "provider", "gateway.providers"));
      }
      if (d.model.empty()) {
        report.add(dpath + ".model", "must not be empty",
                   "set the upstream's model id, e.g. gpt-4o-mini");
      }
      if (d.weight < 0) {
        report.add(dpath + ".weight", "must not be negative, got " + std::to_string(d.weight),
                   "use 0 to drain the deployment, or a positive share of traffic");
      }
    }
    for (std::size_t k = 0; k < m.fallbacks.size(); ++k) {
      const std::string& f = m.fallbacks[k];
      const std::string fpath = path + ".fallbacks." + std::to_string(k);
      if (!m.alias.empty() && f == m.alias) {
        report.add(fpath, "'" + f + "' is this alias itself",
                   "name another alias, or remove the entry");
      } else if (!contains_name(aliases, f)) {
        report.add(fpath, "'" + f + "' is not a configured model alias",
                   choose_from(aliases, "model alias", "gateway.models"));
      }
    }
  }
}

void validate_prices(const GatewayConfig& g, Reporter& report) {
  std::map<std::string, std::size_t> first_with_model;
  for (std::size_t i = 0; i < g.prices.size(); ++i) {
    const PriceConfig& p = g.prices[i];
    const std::string path = "gateway.prices." + std::to_string(i);
    if (p.model.empty()) {
      report.add(path + ".model", "must not be empty", "set the upstream model id, e.g. gpt-4o");
    } else if (const auto [it, inserted] = first_with_model.emplace(p.model, i); !inserted) {
      report.add(path + ".model",
                 "'" + p.model + "' is also priced by gateway.prices." + std::to_string(it->second),
                 "keep one price entry per model");
    }
    const std::pair<const char*, double> prices[] = {
        {".input_per_million", p.input_per_million},
        {".output_per_million", p.output_per_million},
        {".cached_input_per_million", p.cached_input_per_million}};
    for (const auto& [key, value] : prices) {
      if (value < 0) {
        report.add(path + key, "must not be negative, got " + number_text(value),
                   "prices are USD per million tokens, e.g. 2.5");
      }
    }
  }
}

void validate_gateway(const GatewayConfig& g, Reporter& report) {
  validate_providers(g, report);
  std::vector<std::string> providers;
  for (const ProviderConfig& p : g.providers) {
    if (!p.name.empty() && !contains_name(providers, p.name)) providers.push_back(p.name);
  }
  validate_models(g, providers, report);
  validate_prices(g, report);

  const RetryConfig& r = g.retry;
  if (r.max_attempts < 1 || r.max_attempts > 10) {
    report.add("gateway.retry.max_attempts",
               "must be between 1 and 10, got " + std::to_string(r.max_attempts),
               "it counts the first try: 1 disables retries, 3 is typical");
  }
  if (r.base_backoff <= Millis{0}) {
    report.add("gateway.retry.base_backoff", "must be greater than 0", "e.g. 100ms");
  }
  if (r.max_backoff <= Millis{0}) {
    report.add("gateway.retry.max_backoff", "must be greater than 0", "e.g. 2s");
  }
  if (r.base_backoff > Millis{0} && r.max_backoff > Millis{0} && r.base_backoff > r.max_backoff) {
    report.add("gateway.retry.base_backoff",
               format_duration(r.base_backoff) + " is greater than gateway.retry.max_backoff (" +
                   format_duration(r.max_backoff) + ")",
               "lower base_backoff or raise max_backoff");
  }
  if (r.budget < Millis{0}) {
    report.add("gateway.retry.budget", "must not be negative",
               "use 0 to retry without waiting, e.g. 15s");
  }

  const CircuitBreakerConfig& cb = g.circuit_breaker;
  if (cb.failure_threshold < 1) {
    report.add("gateway.circuit_breaker.failure_threshold",
               "must be at least 1, got " + std::to_string(cb.failure_threshold), "e.g. 5");
  }
  if (cb.cooldown <= Millis{0}) {
    report.add("gateway.circuit_breaker.cooldown", "must be greater than 0", "e.g. 30s");
  }
  if (cb.half_open_requests < 1) {
    report.add("gateway.circuit_breaker.half_open_requests",
               "must be at least 1, got " + std::to_string(cb.half_open_requests), "e.g. 1");
  }

  if (!g.default_provider.empty() && !contains_name(providers, g.default_provider)) {
    report.add("gateway.default_provider",
               "'" + g.default_provider + "' is not a configured provider",
               choose_from(providers, "provider", "gateway.providers") +
                   "; or leave it empty to answer 404 for unknown models");
  }
}

void validate(const Config& c, Reporter& report) {
  const ServerConfig& s = c.server;
  if (s.threads < 0 || s.threads > 256) {
    report.add("server.threads", "must be between 0 and 256, got " + std::to_string(s.threads),
               "use 0 for one event loop per core");
  }
  if (s.max_connections < 0) {
    report.add("server.max_connections", "must not be negative",
               "use 0 for the default of 512 per event loop");
  }
  if (s.max_header_bytes < 1024 || s.max_header_bytes > 1024 * 1024) {
    report.add("server.max_header_bytes",
               "must be between 1KiB and 1MiB, got " + std::to_string(s.max_header_bytes),
               "e.g. 16KiB");
  }
  if (s.max_body_bytes < 1024) {
    report.add("server.max_body_bytes",
               "must be at least 1KiB, got " + std::to_string(s.max_body_bytes), "e.g. 1MiB");
  }
  const std::pair<const char*, Millis> timeouts[] = {{"server.header_timeout", s.header_timeout},
                                                     {"server.body_timeout", s.body_timeout},
                                                     {"server.idle_timeout", s.idle_timeout}};
  for (const auto& [path, value] : timeouts) {
    if (value <= Millis{0}) report.add(path, "must be greater than 0", "e.g. 10s");
  }
  if (!c.metrics.path.starts_with('/')) {
    report.add("metrics.path", "must start with '/', got '" + c.metrics.path + "'",
               "e.g. /metrics");
  }
  std::map<std::string, std::size_t> first_with_key;
  for (std::size_t i = 0; i < c.auth.api_keys.size(); ++i) {
    const ApiKeyConfig& k = c.auth.api_keys[i];
    const std::string path = "auth.api_keys." + std::to_string(i);
    if (k.role != "admin" && k.role != "user" && k.role != "readonly") {
      report.add(path + ".role", "unknown role '" + k.role + "'", "use admin, user or readonly");
    }
    if (k.key.empty()) {
      report.add(path + ".key", "must not be empty", "set key (from ${VAR}) or key_file");
      continue;
    }
    const auto [it, inserted] = first_with_key.emplace(k.key, i);
    if (!inserted) {
      // Name the other entry, never the key itself.
      report.add(path + ".key", "same key as auth.api_keys." + std::to_string(it->second),
                 "give every API key a distinct value");
    }
  }
  for (std::size_t i = 0; i < c.cors.allow_origins.size(); ++i) {
    if (std::optional<std::string> problem = origin_problem(c.cors.allow_origins[i])) {
      report.add("cors.allow_origins." + std::to_string(i),
                 "'" + c.cors.allow_origins[i] + "': " + *problem,
                 "write an origin such as https://app.example.com or http://localhost:3000");
    }
  }
  if (c.storage.data_dir.empty()) {
    report.add("storage.data_dir", "must not be empty", "e.g. ./data");
  }
  validate_gateway(c.gateway, report);
}

void check_prod_rules(const Config& c, const std::vector<std::string>& inline_secrets,
                      Reporter& report) {
  if (c.profile != Profile::prod) return;
  if (c.auth.api_keys.empty()) {
    report.add("auth.api_keys", "prod refuses to start without authentication",
               "add an entry under auth.api_keys with key: ${VAR} or key_file, or set "
               "SLUICE_AUTH__API_KEYS__0__KEY");
  }
  const bool any_origin = std::find(c.cors.allow_origins.begin(), c.cors.allow_origins.end(),
                                    "*") != c.cors.allow_origins.end();
  if (any_origin && c.cors.allow_credentials) {
    report.add("cors",
               "allow_origins \"*\" with allow_credentials: true lets any website make "
               "credentialed requests",
               "list the allowed origins explicitly, or set cors.allow_credentials: false");
  }
  for (const std::string& path : inline_secrets) {
    report.add(path, "secret written inline in the config file",
               "secrets must come from ${VAR} or key_file in prod");
  }
}

}  // namespace

Result<Config, std::vector<ConfigError>> load_config(const ConfigSource& source) {
  Errors errors;
  Config config;

  if (const auto env = source.env.find("SLUICE_ENV");
      env != source.env.end() && !env->second.empty()) {
    ValueResult<Profile> profile = parse_profile(env->second);
    if (profile) {
      config.profile = *profile;
    } else {
      errors.push_back(
          {"SLUICE_ENV", profile.error().message, "set SLUICE_ENV to dev, staging or prod"});
    }
  }
  // Before binding, so that the file and env still override the profile's choices.
  apply_profile_defaults(config);

  std::string file = source.file;
  if (const auto env = source.env.find("SLUICE_CONFIG"); file.empty() && env != source.env.end()) {
    file = env->second;
  }
  RawNode root;
  root.kind = RawNode::Kind::map;
  // With no usable file, later stages still report env and override problems, but validation is
  // skipped: it would complain about values that are probably in the unreadable file.
  const bool file_ok = file.empty() || load_yaml_file(file, root, errors);

  apply_env_overrides(source.env, root, errors);
  apply_cli_overrides(source.overrides, root, errors);
  interpolate(root, "", source.env, errors);

  Binder binder(root, errors);
  describe_config(binder, config);
  binder.finish();

  discover_providers(config.gateway, source.env);
  Reporter report(errors, binder.given());
  resolve_listen(config, source.env, binder.given().contains("server.listen"), report);
  if (file_ok) {
    validate(config, report);
    check_prod_rules(config, binder.inline_secrets(), report);
  }

  if (!errors.empty()) return errors;
  return config;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view kv(*entry);
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

}  // namespace sluice::core
