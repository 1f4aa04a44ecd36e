// Binding the raw tree to typed structs through a schema: SchemaBinder, and the server's Config.

#include "core/config_binder.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_schema.hpp"
#include "core/config_values.hpp"

namespace sluice::core::detail {
namespace {

template <class T, class U>
void store(Errors& errors, const std::string& path, const RawNode& node, ValueResult<T> parsed,
           U& out) {
  if (!parsed) {
    errors.push_back({path, with_where(parsed.error().message, node.where), ""});
    return;
  }
  out = static_cast<U>(*parsed);
}

}  // namespace

SchemaBinder::SchemaBinder(const RawNode& root, Errors& errors, Options options)
    : errors_(errors), options_(options) {
  frames_.push_back({&root, ""});
}

void SchemaBinder::bytes(std::string_view name, std::size_t& out) {
  const RawNode* node = enter(name);
  if (node == nullptr) return;
  const std::string path = child_path(name);
  given_[path] = node->where;
  if (!expect_scalar(path, *node, "a size")) return;
  store(errors_, path, *node, parse_byte_size(node->scalar), out);
}

void SchemaBinder::secret(std::string_view name, std::string& out) {
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
    secret_sources_[path] = {SecretSource::Kind::file, file->scalar};
    return;
  }
  if (value == nullptr) return;
  given_[path] = value->where;
  // Never echo a secret's value in an error, so no convert() here.
  if (!expect_scalar(path, *value, "a string")) return;
  out = value->scalar;
  if (!value->env_var.empty()) {
    secret_sources_[path] = {SecretSource::Kind::env_var, value->env_var};
  } else if (value->origin == Origin::file && !value->interpolation_failed && !out.empty()) {
    if (value->from_default) {
      inline_secrets_.push_back({path, true});
    } else if (!value->from_env_var) {
      inline_secrets_.push_back({path, false});
    }
  }
}

const RawNode* SchemaBinder::enter(std::string_view name) {
  Frame& frame = frames_.back();
  frame.known.emplace_back(name);
  return find(*frame.node, name);
}

void SchemaBinder::check_unknown(const Frame& frame) {
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

void SchemaBinder::kind_error(const std::string& path, const RawNode& node,
                              std::string_view expected) {
  if (node.placeholder) return placeholder_error(path, node);
  const char* got = node.kind == RawNode::Kind::map    ? "a mapping"
                    : node.kind == RawNode::Kind::seq  ? "a list"
                    : node.kind == RawNode::Kind::null ? "nothing"
                                                       : "a single value";
  errors_.push_back({path,
                     with_where("expected " + std::string(expected) + ", got " + got, node.where),
                     node.kind == RawNode::Kind::null ? "give a value or remove the key" : ""});
}

void SchemaBinder::placeholder_error(const std::string& path, const RawNode& node) {
  errors_.push_back({path, with_where("missing list entry", node.where),
                     "list indexes start at 0 and have no gaps"});
}

bool SchemaBinder::expect_scalar(const std::string& path, const RawNode& node,
                                 std::string_view expected) {
  if (node.kind == RawNode::Kind::scalar) return true;
  kind_error(path, node, expected);
  return false;
}

void SchemaBinder::bind_string_list(const std::string& path, const RawNode& node,
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

const RawNode* SchemaBinder::enter_collection(std::string_view name, RawNode::Kind kind,
                                              std::string_view expected, std::string& path) {
  const RawNode* node = enter(name);
  if (node == nullptr) return nullptr;
  const std::string at = child_path(name);
  given_[at] = node->where;
  if (node->kind == RawNode::Kind::null) {
    path = at;
    return nullptr;
  }
  if (node->kind != kind) {
    kind_error(at, *node, expected);
    return nullptr;
  }
  path = at;
  return node;
}

void SchemaBinder::bind_map(std::string_view name, std::map<std::string, std::string>& out,
                            bool secret_values) {
  std::string path;
  const RawNode* node =
      enter_collection(name, RawNode::Kind::map, "a mapping of names to values", path);
  if (node == nullptr) {
    if (!path.empty()) out.clear();  // null: an empty mapping
    return;
  }
  constexpr std::string_view kFileSuffix = "_file";
  std::map<std::string, std::string> items;
  bool ok = true;
  for (const RawEntry& e : node->entries) {
    const bool from_file = secret_values && e.key.size() > kFileSuffix.size() &&
                           std::string_view(e.key).ends_with(kFileSuffix);
    const std::string entry =
        from_file ? e.key.substr(0, e.key.size() - kFileSuffix.size()) : e.key;
    const std::string entry_path = join(path, entry);
    const std::string given_path = join(path, e.key);
    if (items.contains(entry)) {
      errors_.push_back(
          {entry_path,
           with_where("given twice (as " + entry + " and " + entry + std::string(kFileSuffix) + ")",
                      e.value.where),
           "keep only one of them"});
      ok = false;
      continue;
    }
    if (!expect_scalar(given_path, e.value, from_file ? "a file path" : "a string")) {
      ok = false;
      continue;
    }
    given_[entry_path] = e.value.where;
    if (from_file) {
      std::string content;
      const std::size_t errors_before = errors_.size();
      read_secret_file(given_path, e.value, content);
      if (errors_.size() != errors_before) {
        ok = false;
        continue;
      }
      secret_sources_[entry_path] = {SecretSource::Kind::file, e.value.scalar};
      items.emplace(entry, std::move(content));
      continue;
    }
    if (secret_values && !e.value.env_var.empty())
      secret_sources_[entry_path] = {SecretSource::Kind::env_var, e.value.env_var};
    items.emplace(entry, e.value.scalar);
  }
  if (ok) out = std::move(items);
}

void SchemaBinder::read_secret_file(const std::string& file_path, const RawNode& node,
                                    std::string& out) {
  if (!options_.read_secret_files) {
    out.clear();  // the path is kept in secret_sources; the value is never used
    return;
  }
  std::string why;
  constexpr std::size_t kMaxSecretBytes = 64 * 1024;  // keys, tokens and CA paths are far smaller
  std::optional<std::string> content = read_whole_file(node.scalar, why, kMaxSecretBytes);
  if (!content) {
    errors_.push_back(
        {file_path, with_where("cannot read secret file '" + node.scalar + "': " + why, node.where),
         "check that the file exists and is readable by this user"});
    return;
  }
  // Files written by `echo` or editors end with a newline that is not part of the secret.
  while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) {
    content->pop_back();
  }
  out = std::move(*content);
}

void SchemaBinder::convert(const std::string&, const RawNode& node, std::string& out) {
  out = node.scalar;
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, int& out) {
  ValueResult<long long> parsed = parse_integer(node.scalar);
  if (parsed &&
      (*parsed < std::numeric_limits<int>::min() || *parsed > std::numeric_limits<int>::max())) {
    parsed = ValueError{"integer '" + node.scalar + "' is out of range"};
  }
  store(errors_, path, node, std::move(parsed), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, long long& out) {
  store(errors_, path, node, parse_integer(node.scalar), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, double& out) {
  store(errors_, path, node, parse_number(node.scalar), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, bool& out) {
  store(errors_, path, node, parse_bool(node.scalar), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, Millis& out) {
  store(errors_, path, node, parse_duration(node.scalar), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, Seconds& out) {
  store(errors_, path, node, parse_seconds(node.scalar), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, LogLevel& out) {
  store(errors_, path, node, parse_log_level(node.scalar), out);
}
void SchemaBinder::convert(const std::string& path, const RawNode& node, LogFormat& out) {
  store(errors_, path, node, parse_log_format(node.scalar), out);
}

Binding bind_config(const RawNode& root, Config& config, Errors& errors) {
  SchemaBinder binder(root, errors);
  describe_config(binder, config);
  binder.finish();
  return {binder.given(), binder.inline_secrets(), binder.secret_sources()};
}

}  // namespace sluice::core::detail
