// The raw tree: reading the YAML file into it, ${VAR} interpolation, and the helpers that the
// other loading stages share.

#include "core/config_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::core::detail {
namespace {

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

}  // namespace

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

std::optional<std::string> read_whole_file(const std::string& path, std::string& why,
                                           std::size_t max_bytes) {
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
  bool too_large = false;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    if (content.size() + n > max_bytes) {  // /dev/zero or a wrong path must not fill memory
      too_large = true;
      break;
    }
    content.append(buffer, n);
  }
  const bool failed = std::ferror(f) != 0;
  const int read_errno = errno;
  std::fclose(f);
  if (failed) {
    why = std::strerror(read_errno);
    return std::nullopt;
  }
  if (too_large) {
    why = "is larger than " + std::to_string(max_bytes) + " bytes";
    return std::nullopt;
  }
  return content;
}

namespace {

std::string yaml_where(const std::string& file, const YAML::Mark& mark) {
  return mark.line >= 0 ? "at " + file + ":" + std::to_string(mark.line + 1) : "in " + file;
}

// Aliases make the YAML a graph: one that refers to itself (`a: &x [*x]`) would recurse forever,
// and nested ones multiply (a "billion laughs"). The bounds are far beyond any real
// configuration's shape.
struct ExpansionLimits {
  static constexpr int kMaxDepth = 32;
  static constexpr std::size_t kMaxNodes = 100'000;
  int depth = 0;
  std::size_t nodes = 0;
  bool exceeded = false;
};

RawNode from_yaml(const YAML::Node& node, const std::string& file, const std::string& path,
                  Errors& errors, ExpansionLimits& limits) {
  RawNode out;
  out.origin = Origin::file;
  out.where = yaml_where(file, node.Mark());
  if (limits.exceeded) return out;
  if (limits.depth == ExpansionLimits::kMaxDepth || ++limits.nodes > ExpansionLimits::kMaxNodes) {
    limits.exceeded = true;
    errors.push_back({path, with_where("nested too deep or too large", out.where),
                      "look for an alias that refers to itself or repeats a large node"});
    return out;
  }
  ++limits.depth;
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
        out.items.push_back(
            from_yaml(node[i], file, join(path, std::to_string(i)), errors, limits));
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
        out.entries.push_back({key, from_yaml(it->second, file, key_path, errors, limits)});
      }
      break;
  }
  --limits.depth;
  return out;
}

}  // namespace

// Returns false when the file could not be used at all (missing, unreadable, invalid YAML).
bool load_yaml_file(const std::string& file, RawNode& root, Errors& errors) {
  std::string why;
  std::optional<std::string> text = read_whole_file(file, why);
  if (!text) {
    errors.push_back({file, "cannot read config file: " + why,
                      "check the path given by --config or SLUICE_CONFIG"});
    return false;
  }
  return load_yaml_text(*text, file, root, errors);
}

bool load_yaml_text(const std::string& text, const std::string& file, RawNode& root,
                    Errors& errors) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
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
  ExpansionLimits limits;
  root = from_yaml(doc, file, "", errors, limits);
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
// ${VAR} interpolation.

namespace {

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
      node.interpolation_failed = true;
      return;
    }
    const std::string_view inner = std::string_view(in).substr(i + 2, close - i - 2);
    const std::size_t dash = inner.find(":-");
    const std::string name(inner.substr(0, dash));
    if (!valid_var_name(name)) {
      errors.push_back(
          {path, with_where("invalid variable name in ${" + std::string(inner) + "}", node.where),
           "use ${NAME} or ${NAME:-default}; write $$ for a literal $"});
      node.interpolation_failed = true;
      return;
    }
    const auto it = env.find(name);
    const bool whole_value = i == 0 && close + 1 == in.size();
    if (it != env.end() && (dash == std::string_view::npos || !it->second.empty())) {
      out += it->second;
      node.from_env_var = true;
      if (whole_value) node.env_var = name;
    } else if (dash != std::string_view::npos) {
      const std::string_view fallback = inner.substr(dash + 2);
      out += fallback;
      if (!fallback.empty()) node.from_default = true;
    } else {
      errors.push_back({path,
                        with_where("environment variable " + name + " is not set", node.where),
                        "set " + name + ", or give a default: ${" + name + ":-value}"});
      node.interpolation_failed = true;
      return;
    }
    i = close;
  }
  node.scalar = std::move(out);
}

}  // namespace

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

}  // namespace sluice::core::detail
