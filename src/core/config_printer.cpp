#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/config_schema.hpp"
#include "core/config_values.hpp"

namespace sluice::core {
namespace {

// The loader interpolates every string, so a literal '$' must be written as "$$" for the printed
// config to load back unchanged.
std::string escape_dollars(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

// Renders the schema as YAML, in the same units the loader reads.
class Printer {
 public:
  Printer(YAML::Emitter& out, const std::map<std::string, SecretSource>& secret_sources)
      : out_(out), secret_sources_(secret_sources) {}

  template <class F>
  void section(std::string_view name, F&& fn) {
    key(name);
    out_ << YAML::BeginMap;
    enter(name);
    fn();
    leave();
    out_ << YAML::EndMap;
  }

  template <class T, class F>
  void list(std::string_view name, std::vector<T>& items, F&& fn) {
    key(name);
    if (items.empty()) out_ << YAML::Flow;  // "[]" on the key's line
    out_ << YAML::BeginSeq;
    enter(name);
    for (std::size_t i = 0; i < items.size(); ++i) {
      out_ << YAML::BeginMap;
      enter(std::to_string(i));
      fn(items[i]);
      leave();
      out_ << YAML::EndMap;
    }
    leave();
    out_ << YAML::EndSeq;
  }

  void field(std::string_view name, std::string& value) {
    key(name);
    out_ << escape_dollars(redact_url_credentials(value));
  }
  void field(std::string_view name, int& value) {
    key(name);
    out_ << value;
  }
  void field(std::string_view name, long long& value) {
    key(name);
    out_ << value;
  }
  void field(std::string_view name, double& value) {
    key(name);
    char buf[32];  // shortest round-trip form: 0.15, not 0.14999999999999999
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_ << std::string(buf, end);
  }
  void field(std::string_view name, bool& value) {
    key(name);
    out_ << value;
  }
  void field(std::string_view name, Millis& value) {
    key(name);
    out_ << format_duration(value);
  }
  void field(std::string_view name, LogLevel& value) {
    key(name);
    out_ << std::string(to_string(value));
  }
  void field(std::string_view name, LogFormat& value) {
    key(name);
    out_ << std::string(to_string(value));
  }
  void field(std::string_view name, std::vector<std::string>& values) {
    key(name);
    if (values.empty()) out_ << YAML::Flow;
    out_ << YAML::BeginSeq;
    for (const std::string& v : values) out_ << escape_dollars(v);
    out_ << YAML::EndSeq;
  }
  void bytes(std::string_view name, std::size_t& value) {
    key(name);
    out_ << static_cast<unsigned long long>(value);
  }
  void map(std::string_view name, std::map<std::string, std::string>& entries) {
    key(name);
    if (entries.empty()) out_ << YAML::Flow;  // "{}" on the key's line
    out_ << YAML::BeginMap;
    for (const auto& [entry, value] : entries) {
      key(entry);
      out_ << escape_dollars(value);
    }
    out_ << YAML::EndMap;
  }
  // Each entry as secret() prints one.
  void secret_map(std::string_view name, std::map<std::string, std::string>& entries) {
    key(name);
    if (entries.empty()) out_ << YAML::Flow;
    out_ << YAML::BeginMap;
    enter(name);
    for (auto& [entry, value] : entries) secret(entry, value);
    leave();
    out_ << YAML::EndMap;
  }

  // Where the secret came from, in a form that loads back to the same value; never the value.
  void secret(std::string_view name, std::string& value) {
    const auto source = secret_sources_.find(path_ + std::string(name));
    if (source == secret_sources_.end()) {
      key(name);
      // An empty secret reveals nothing and shows that it is unset.
      out_ << (value.empty() ? std::string() : std::string("<redacted>"));
    } else if (source->second.kind == SecretSource::Kind::file) {
      key(std::string(name) + "_file");
      out_ << escape_dollars(source->second.ref);
    } else {
      key(name);
      out_ << "${" + source->second.ref + "}";
    }
  }

 private:
  void key(std::string_view name) { out_ << YAML::Key << std::string(name) << YAML::Value; }
  // path_ is the dotted key path of the current mapping, with a trailing dot.
  void enter(std::string_view name) { path_ += std::string(name) + "."; }
  void leave() { path_.erase(path_.rfind('.', path_.size() - 2) + 1); }

  YAML::Emitter& out_;
  const std::map<std::string, SecretSource>& secret_sources_;
  std::string path_;
};

}  // namespace

std::string render_effective_config(const Config& config) {
  Config copy = config;  // the schema visits mutable references
  YAML::Emitter out;
  out << YAML::Comment("profile: " + std::string(to_string(config.profile)) + " (from SLUICE_ENV)");
  out << YAML::BeginMap;
  Printer printer(out, config.secret_sources);
  describe_config(printer, copy);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string_view to_string(Profile profile) {
  switch (profile) {
    case Profile::dev:
      return "dev";
    case Profile::staging:
      return "staging";
    case Profile::prod:
      return "prod";
  }
  return "dev";
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::string_view to_string(LogFormat format) {
  switch (format) {
    case LogFormat::json:
      return "json";
    case LogFormat::text:
      return "text";
  }
  return "json";
}

std::string to_string(const ConfigError& error) {
  std::string out = error.path.empty() ? error.message : error.path + ": " + error.message;
  if (!error.fix.empty()) out += " (fix: " + error.fix + ")";
  return out;
}

}  // namespace sluice::core
