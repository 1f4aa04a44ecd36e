// Configuration pipeline: YAML file -> SLUICE_* env overrides -> CLI overrides -> ${VAR}
// interpolation -> bind through the schema (reading *_file secrets) -> profile rules and
// validation. Every stage appends to one error list so that an operator sees all problems in one
// run.
//
// Each stage has its own file: config_tree (file reading, interpolation), config_overrides,
// config_binder and config_validate.

#include <unistd.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/config_binder.hpp"
#include "core/config_overrides.hpp"
#include "core/config_tree.hpp"
#include "core/config_validate.hpp"
#include "core/config_values.hpp"
#include "core/provider_discovery.hpp"

namespace sluice::core {
namespace {

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

}  // namespace

Result<Config, std::vector<ConfigError>> load_config(const ConfigSource& source) {
  std::vector<ConfigError> errors;
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
  detail::RawNode root;
  root.kind = detail::RawNode::Kind::map;
  // With no usable file, later stages still report env and override problems, but validation is
  // skipped: it would complain about values that are probably in the unreadable file.
  const bool file_ok = file.empty() || detail::load_yaml_file(file, root, errors);

  detail::apply_env_overrides(source.env, root, errors);
  detail::apply_cli_overrides(source.overrides, root, errors);
  detail::interpolate(root, "", source.env, errors);

  const detail::Binding binding = detail::bind_config(root, config, errors);

  config.secret_sources = binding.secret_sources;
  std::map<std::string, std::string> given = binding.given;
  given.merge(discover_providers(config, source.env));
  given.merge(detail::apply_otel_environment(config, source.env, given));
  detail::apply_proxy_environment(config, source.env);
  detail::Reporter report(errors, given);
  detail::resolve_listen(config, source.env, binding.given.contains("server.listen"), report);
  if (file_ok) {
    detail::validate(config, report);
    detail::check_profile_rules(config, binding.inline_secrets, report);
  }

  if (!errors.empty()) return errors;
  detail::route_egress(config);
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
