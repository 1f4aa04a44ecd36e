// `sluice simulate`: runs a scenario file on the server's own gateway code in virtual time and
// reports what happened.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "cmd/cli_args.hpp"
#include "cmd/commands.hpp"
#include "core/config.hpp"
#include "sim/model/simulation.hpp"
#include "sim/report/report_json.hpp"
#include "sim/report/report_summary.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sluice::cmd {
namespace {

constexpr const char* kUsage =
    "usage: sluice simulate SCENARIO.yaml [--seed N] [--duration D] [--json FILE]\n"
    "Runs the scenario's traffic through Sluice's own gateway code (routing, retries, circuit\n"
    "breakers, deadlines, admission control) against simulated upstreams, in virtual time, and\n"
    "prints a summary. The same scenario and seed give the same report, byte for byte.\n"
    "  --seed N       the run's seed (overrides the file's `seed`)\n"
    "  --duration D   how long traffic arrives, e.g. 10m or 2h (overrides `duration`)\n"
    "  --json FILE    also write the full report as JSON to FILE ('-': stdout, and the summary\n"
    "                 goes to stderr)\n"
    "  -h, --help     this text\n"
    "Scenario reference: docs/simulate.md. Exit status: 0 done, 2 bad flags or scenario (each\n"
    "problem named by its key path), 1 the report could not be written.\n";

struct SimulateArgs {
  std::string scenario;
  sim::ScenarioFlags flags;
  std::string json;
  bool help = false;
};

Result<SimulateArgs> parse_args(int argc, char** argv, int first) {
  SimulateArgs args;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&](std::string_view flag) -> Result<std::string> {
      if (i + 1 >= argc)
        return make_error(Errc::invalid_request, std::string(flag) + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "-h" || arg == "--help") {
      args.help = true;
    } else if (arg == "--seed" || arg == "--duration" || arg == "--json") {
      auto v = value(arg);
      if (!v) return v.error();
      if (arg == "--seed") args.flags.seed = *v;
      if (arg == "--duration") args.flags.duration = *v;
      if (arg == "--json") args.json = *v;
    } else if (arg.starts_with("-") && arg != "-") {
      return make_error(Errc::invalid_request, "unknown flag " + std::string(arg));
    } else if (args.scenario.empty()) {
      args.scenario = std::string(arg);
    } else {
      return make_error(Errc::invalid_request,
                        "one scenario file only, got also " + std::string(arg));
    }
  }
  if (!args.help && args.scenario.empty())
    return make_error(Errc::invalid_request, "name a scenario file");
  return args;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

int run_simulate(int argc, char** argv, int first) {
  auto args = parse_args(argc, argv, first);
  if (!args) {
    std::fprintf(stderr, "sluice simulate: %s\n%s", args.error().message.c_str(), kUsage);
    return 2;
  }
  if (args->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto scenario = sim::load_scenario(args->scenario, args->flags, core::process_environment());
  if (!scenario) {
    print_config_errors(scenario.error());
    return 2;
  }
  sim::Simulation simulation(std::move(*scenario));
  const auto started = std::chrono::steady_clock::now();
  simulation.run();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string summary = sim::render_summary(simulation, args->scenario, wall);
  if (!args->json.empty()) {
    const std::string report = sim::render_report_json(simulation, args->scenario);
    if (args->json == "-") {
      std::fwrite(report.data(), 1, report.size(), stdout);
      std::fputs(summary.c_str(), stderr);
      return 0;
    }
    if (!write_file(args->json, report)) {
      std::fputs(summary.c_str(), stdout);
      std::fprintf(stderr, "sluice simulate: cannot write %s: %s\n", args->json.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  std::fputs(summary.c_str(), stdout);
  return 0;
}

}  // namespace sluice::cmd
