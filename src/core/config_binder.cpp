// Binding the raw tree to Config through the schema.

#include "core/config_binder.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config_schema.hpp"
#include "core/config_values.hpp"

namespace sluice::core::detail {
namespace {

class Binder {
 public:
  Binder(const RawNode& root, Errors& errors) : errors_(errors) { frames_.push_back({&root, ""}); }

  // Reports unknown top-level sections; call once after describe_config.
  void finish() { check_unknown(frames_.front()); }

  // Key paths that were given a value, with where each came from.
  const std::map<std::string, std::string>& given() const { return given_; }
  const std::vector<InlineSecret>& inline_secrets() const { return inline_secrets_; }
  const std::map<std::string, SecretSource>& secret_sources() const { return secret_sources_; }

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

  // Entries are bound together: the mapping replaces `out` only when every entry is a string.
  void map(std::string_view name, std::map<std::string, std::string>& out) {
    bind_map(name, out, /*secret_values=*/false);
  }
  // As map(), each value a secret: `<entry>_file` reads the entry from a file, and where each
  // value came from is kept for the printer. (Inline values are allowed in prod: headers such as
  // OpenAI-Organization are identifiers, not credentials.)
  void secret_map(std::string_view name, std::map<std::string, std::string>& out) {
    bind_map(name, out, /*secret_values=*/true);
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

  void bind_map(std::string_view name, std::map<std::string, std::string>& out,
                bool secret_values) {
    const RawNode* node = enter(name);
    if (node == nullptr) return;
    const std::string path = child_path(name);
    given_[path] = node->where;
    if (node->kind == RawNode::Kind::null) {
      out.clear();
      return;
    }
    if (node->kind != RawNode::Kind::map) {
      kind_error(path, *node, "a mapping of names to values");
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
        errors_.push_back({entry_path,
                           with_where("given twice (as " + entry + " and " + entry +
                                          std::string(kFileSuffix) + ")",
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

  void read_secret_file(const std::string& file_path, const RawNode& node, std::string& out) {
    std::string why;
    constexpr std::size_t kMaxSecretBytes = 64 * 1024;  // keys, tokens and CA paths are far smaller
    std::optional<std::string> content = read_whole_file(node.scalar, why, kMaxSecretBytes);
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
  std::vector<InlineSecret> inline_secrets_;
  std::map<std::string, SecretSource> secret_sources_;
};

}  // namespace

Binding bind_config(const RawNode& root, Config& config, Errors& errors) {
  Binder binder(root, errors);
  describe_config(binder, config);
  binder.finish();
  return {binder.given(), binder.inline_secrets(), binder.secret_sources()};
}

}  // namespace sluice::core::detail
