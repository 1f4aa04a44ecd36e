#include "sim/scenario/scenario_loader.hpp"

#include <cmath>
#include <filesystem>

#include "core/config_tree.hpp"
#include "core/config_validate.hpp"
#include "core/config_values.hpp"
#include "core/schema_binder.hpp"
#include "sim/scenario/access_log_replay.hpp"
#include "sim/scenario/scenario_schema.hpp"
#include "sim/scenario/scenario_validate.hpp"
#include "sim/scenario/serverless_preset.hpp"

namespace sluice::sim {
namespace {

using core::detail::RawNode;

// A top-level key set from a flag, as the server's --listen sets server.listen.
void set_flag(RawNode& root, const std::string& key, const std::string& value,
              const std::string& flag) {
  RawNode node;
  node.kind = RawNode::Kind::scalar;
  node.scalar = value;
  node.origin = core::detail::Origin::override_;
  node.where = "from " + flag;
  if (RawNode* existing = core::detail::find(root, key)) {
    *existing = std::move(node);
    return;
  }
  root.entries.push_back({key, std::move(node)});
}

// --load: the multiple, or an error naming the flag.
std::optional<double> load_factor(const ScenarioFlags& flags,
                                  std::vector<core::ConfigError>& errors) {
  if (!flags.load) return std::nullopt;
  auto factor = core::parse_number(*flags.load);
  if (!factor || !(*factor > 0) || !std::isfinite(*factor)) {
    errors.push_back({"--load", "must be a number greater than 0, not \"" + *flags.load + "\"",
                      "2 doubles the scenario's traffic, 0.5 halves it"});
    return std::nullopt;
  }
  return *factor;
}

// The traffic times `factor`: every rate, or a replay's pace.
void scale_traffic(TrafficConfig& traffic, double factor) {
  traffic.rate *= factor;
  for (PhaseConfig& phase : traffic.phases) phase.rate *= factor;
  traffic.replay.speed *= factor;
}

// A path the scenario names, relative to the scenario file's folder.
std::string resolve(const std::string& path, const std::string& scenario_file) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(scenario_file).parent_path() / p).string();
}

ScenarioResult bind_and_validate(RawNode& root, bool file_ok, const std::string& name,
                                 const ScenarioFlags& flags,
                                 const std::map<std::string, std::string>& env,
                                 std::vector<core::ConfigError>& errors) {
  if (flags.seed) set_flag(root, "seed", *flags.seed, "--seed");
  if (flags.duration) set_flag(root, "duration", *flags.duration, "--duration");
  core::detail::interpolate(root, "", env, errors);
  ScenarioConfig scenario;
  core::detail::SchemaBinder binder(root, errors, {.read_secret_files = false});
  describe_scenario(binder, scenario);
  binder.finish();
  if (const std::optional<double> factor = load_factor(flags, errors))
    scale_traffic(scenario.traffic, *factor);
  apply_serverless_preset(scenario.platform.serverless, binder.given());
  if (file_ok) {
    core::detail::Reporter report(errors, binder.given());
    validate_scenario(scenario, binder.given(), report);
  }
  if (!errors.empty()) return errors;
  // With regions, the fleet is every region's replicas (region by region, in the file's order).
  if (!scenario.topology.regions.empty()) {
    scenario.replicas.count = 0;
    for (const RegionConfig& r : scenario.topology.regions) scenario.replicas.count += r.replicas;
  }
  if (!scenario.traffic.replay.file.empty()) {
    auto replayed =
        read_access_log(resolve(scenario.traffic.replay.file, name), scenario.traffic.replay.speed,
                        scenario.gateway, scenario.traffic.replay.answers);
    if (!replayed) return replayed.error();
    // Without a duration of its own, the replay runs to the log's last arrival.
    if (!binder.given().contains("duration"))
      scenario.duration = core::Seconds(std::floor(replayed->requests.back().arrival) + 1);
    scenario.replayed = std::make_shared<const ReplayedTraffic>(std::move(*replayed));
  }
  return scenario;
}

}  // namespace

ScenarioResult load_scenario(const std::string& file, const ScenarioFlags& flags,
                             const std::map<std::string, std::string>& env) {
  std::vector<core::ConfigError> errors;
  std::string why;
  const std::optional<std::string> text = core::detail::read_whole_file(file, why);
  if (!text) {
    errors.push_back(
        {file, "cannot read the scenario file: " + why, "check the path given to sluice simulate"});
    return errors;
  }
  return parse_scenario(*text, file, flags, env);
}

ScenarioResult parse_scenario(const std::string& yaml, const std::string& name,
                              const ScenarioFlags& flags,
                              const std::map<std::string, std::string>& env) {
  std::vector<core::ConfigError> errors;
  RawNode root;
  root.kind = RawNode::Kind::map;
  const bool file_ok = core::detail::load_yaml_text(yaml, name, root, errors);
  return bind_and_validate(root, file_ok, name, flags, env, errors);
}

}  // namespace sluice::sim
