#pragma once
// Binds a raw configuration tree to typed structs through a schema description (a function that
// calls section/list/field/... on a visitor, as describe_config does). The server's config and
// `sluice simulate`'s scenario files both go through it, so both report unknown keys (with "did
// you mean"), wrong kinds and bad values the same way, each error naming its key path.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/config.hpp"
#include "core/config_tree.hpp"
#include "core/config_values.hpp"

namespace sluice::core::detail {

// A secret whose value is written in the YAML file.
struct InlineSecret {
  std::string path;
  bool from_default = false;  // as the default of a ${VAR:-default}, rather than literally
};

class SchemaBinder {
 public:
  struct Options {
    // Reads `<name>_file` secrets. Off for files whose secrets are never used (a scenario's
    // embedded gateway section names the server's key files, which need not exist here).
    bool read_secret_files = true;
  };

  SchemaBinder(const RawNode& root, Errors& errors, Options options);
  SchemaBinder(const RawNode& root, Errors& errors) : SchemaBinder(root, errors, Options{}) {}

  // Reports unknown top-level keys; call once after the schema was described.
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
    std::string path;
    const RawNode* node = enter_collection(name, RawNode::Kind::seq, "a list", path);
    if (!path.empty()) out.clear();  // given as a list, or null: an empty one
    if (node == nullptr) return;
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

  // A scalar: std::string, int, long long, bool, double, Millis (a duration in whole
  // milliseconds), Seconds (a duration with fractions: "12.5ms"), LogLevel, LogFormat; or
  // std::vector<std::string>.
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

  void bytes(std::string_view name, std::size_t& out);
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
  void secret(std::string_view name, std::string& out);

 private:
  struct Frame {
    const RawNode* node;
    std::string path;
    std::vector<std::string> known = {};
  };

  const RawNode* enter(std::string_view name);
  std::string child_path(std::string_view name) const { return join(frames_.back().path, name); }
  // A list or mapping key: its node, recorded as given, with `path` set. Null when the key is
  // absent or not of `kind` (an error; `path` left empty), or when its value is null (`path` set:
  // the caller empties the collection).
  const RawNode* enter_collection(std::string_view name, RawNode::Kind kind,
                                  std::string_view expected, std::string& path);
  void check_unknown(const Frame& frame);
  void kind_error(const std::string& path, const RawNode& node, std::string_view expected);
  void placeholder_error(const std::string& path, const RawNode& node);
  bool expect_scalar(const std::string& path, const RawNode& node, std::string_view expected);

  static const char* expected_kind(const std::string&) { return "a string"; }
  static const char* expected_kind(const int&) { return "an integer"; }
  static const char* expected_kind(const long long&) { return "an integer"; }
  static const char* expected_kind(const bool&) { return "a boolean"; }
  static const char* expected_kind(const double&) { return "a number"; }
  static const char* expected_kind(const Millis&) { return "a duration"; }
  static const char* expected_kind(const Seconds&) { return "a duration"; }
  static const char* expected_kind(const LogLevel&) { return "a log level"; }
  static const char* expected_kind(const LogFormat&) { return "a log format"; }

  void convert(const std::string& path, const RawNode& node, std::string& out);
  void convert(const std::string& path, const RawNode& node, int& out);
  void convert(const std::string& path, const RawNode& node, long long& out);
  void convert(const std::string& path, const RawNode& node, double& out);
  void convert(const std::string& path, const RawNode& node, bool& out);
  void convert(const std::string& path, const RawNode& node, Millis& out);
  void convert(const std::string& path, const RawNode& node, Seconds& out);
  void convert(const std::string& path, const RawNode& node, LogLevel& out);
  void convert(const std::string& path, const RawNode& node, LogFormat& out);

  void bind_string_list(const std::string& path, const RawNode& node,
                        std::vector<std::string>& out);
  void bind_map(std::string_view name, std::map<std::string, std::string>& out, bool secret_values);
  void read_secret_file(const std::string& file_path, const RawNode& node, std::string& out);

  Errors& errors_;
  const Options options_;
  std::vector<Frame> frames_;
  std::map<std::string, std::string> given_;
  std::vector<InlineSecret> inline_secrets_;
  std::map<std::string, SecretSource> secret_sources_;
};

}  // namespace sluice::core::detail
