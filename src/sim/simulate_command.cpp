// `sluice simulate`: runs a scenario file on the server's own gateway code in virtual time and
// reports what happened.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "cmd/cli_args.hpp"
#include "cmd/commands.hpp"
#include "core/config.hpp"
#include "core/config_values.hpp"
#include "sim/model/simulation.hpp"
#include "sim/report/access_log_writer.hpp"
#include "sim/report/metrics_timeline.hpp"
#include "sim/report/report_html.hpp"
#include "sim/report/report_json.hpp"
#include "sim/report/report_summary.hpp"
#include "sim/scenario/protection_config.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sluice::cmd {
namespace {

constexpr const char* kUsage =
    "usage: sluice simulate SCENARIO.yaml [--seed N] [--duration D] [--load X] [--json FILE]\n"
    "                       [--html FILE] [--openmetrics FILE [--scrape-interval D]\n"
    "                        [--metrics-start UNIX_S] [--metrics-max-bytes SIZE]]\n"
    "                       [--access-log FILE]\n"
    "Runs the scenario's traffic through Sluice's own gateway code (routing, retries, circuit\n"
    "breakers, deadlines, admission control) against simulated upstreams, in virtual time, and\n"
    "prints a summary. The same scenario and seed give the same report, byte for byte.\n"
    "  --seed N       the run's seed (overrides the file's `seed`)\n"
    "  --duration D   how long traffic arrives, e.g. 10m or 2h (overrides `duration`)\n"
    "  --load X       the scenario's traffic times X: every rate (or a replay's pace); 2 asks\n"
    "                 what happens when traffic doubles\n"
    "  --json FILE    also write the full report as JSON to FILE ('-': stdout, and the summary\n"
    "                 goes to stderr)\n"
    "  --html FILE    also write the report as one self-contained HTML page with charts\n"
    "  --openmetrics FILE  also write every replica's metrics, scraped every scrape interval\n"
    "                 of virtual time, as OpenMetrics with timestamps (for promtool to backfill)\n"
    "  --scrape-interval D   between two scrapes (default 15s)\n"
    "  --metrics-start UNIX_S  the Unix time of the run's start in that file (default: the\n"
    "                 scenario's `start`, 2024-01-01T00:00:00Z unless it sets another)\n"
    "  --metrics-max-bytes SIZE  the bound on that file (default 256Mi)\n"
    "  --access-log FILE  also write every simulated request as a line of the server's JSON\n"
    "                 access log, with each attempt (`tries`), timed from the same start\n"
    "  -h, --help     this text\n"
    "Scenario reference: docs/simulate.md. Exit status: 0 done, 2 bad flags or scenario (each\n"
    "problem named by its key path), 1 the report could not be written.\n";

struct SimulateArgs {
  std::string scenario;
  sim::ScenarioFlags flags;
  std::string json;
  std::string html;
  std::string openmetrics;
  std::string access_log;
  double scrape_interval = sim::MetricsTimeline::kDefaultScrapeIntervalSeconds;
  std::optional<double> metrics_start;  // none: the scenario's `start`
  std::size_t metrics_max_bytes = sim::OpenMetricsWriter::Options{}.max_bytes;
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
    } else if (arg == "--seed" || arg == "--duration" || arg == "--load" || arg == "--json" ||
               arg == "--html" || arg == "--openmetrics" || arg == "--access-log") {
      auto v = value(arg);
      if (!v) return v.error();
      if (arg == "--seed") args.flags.seed = *v;
      if (arg == "--duration") args.flags.duration = *v;
      if (arg == "--load") args.flags.load = *v;
      if (arg == "--json") args.json = *v;
      if (arg == "--html") args.html = *v;
      if (arg == "--openmetrics") args.openmetrics = *v;
      if (arg == "--access-log") args.access_log = *v;
    } else if (arg == "--scrape-interval" || arg == "--metrics-start" ||
               arg == "--metrics-max-bytes") {
      auto v = value(arg);
      if (!v) return v.error();
      const auto bad = [&](const std::string& why) {
        return make_error(Errc::invalid_request, std::string(arg) + ": " + why);
      };
      if (arg == "--scrape-interval") {
        auto seconds = core::parse_seconds(*v);
        if (!seconds) return bad(seconds.error().message);
        if (seconds->count() < 0.001) return bad("must be at least 1ms");
        args.scrape_interval = seconds->count();
      } else if (arg == "--metrics-start") {
        char* end = nullptr;
        const double start = std::strtod(v->c_str(), &end);
        if (v->empty() || *end != '\0' || !std::isfinite(start) || start < 0)
          return bad("a Unix time in seconds, got " + *v);
        args.metrics_start = start;
      } else {
        auto bytes = core::parse_byte_size(*v);
        if (!bytes) return bad(bytes.error().message);
        args.metrics_max_bytes = *bytes;
      }
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
  if (args.json == "-" && args.html == "-")
    return make_error(Errc::invalid_request, "only one of --json and --html can write to stdout");
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
  // The file's instants and the budgets' days count from the same start.
  const double metrics_start = args->metrics_start.value_or(
      static_cast<double>(sim::unix_ms_of_start(scenario->start).value_or(0)) / 1000);
  sim::Simulation simulation(std::move(*scenario));
  std::optional<sim::MetricsTimeline> timeline;
  if (!args->openmetrics.empty()) {
    timeline.emplace(
        sim::MetricsTimeline::Options{.path = args->openmetrics,
                                      .start_unix_seconds = metrics_start,
                                      .format = {.max_bytes = args->metrics_max_bytes}});
    simulation.scrape_into(*timeline, args->scrape_interval);
  }
  std::optional<sim::AccessLogWriter> access_log;
  if (!args->access_log.empty()) {
    access_log.emplace(args->access_log, metrics_start);
    simulation.on_request([&access_log](const sim::RequestRecord& r) { access_log->write(r); });
  }
  const auto started = std::chrono::steady_clock::now();
  simulation.run();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string summary = sim::render_summary(simulation, args->scenario, wall);
  // Whichever report goes to stdout, the summary goes to stderr.
  const bool to_stdout = args->json == "-" || args->html == "-";
  int status = 0;
  const auto fail = [&](const std::string& message) {
    std::fprintf(stderr, "sluice simulate: %s\n", message.c_str());
    status = 1;
  };
  const auto output = [&](const std::string& path, const std::string& text) {
    if (path == "-")
      std::fwrite(text.data(), 1, text.size(), stdout);
    else if (!write_file(path, text))
      fail("cannot write " + path + ": " + std::strerror(errno));
  };
  if (!args->json.empty()) output(args->json, sim::render_report_json(simulation, args->scenario));
  if (!args->html.empty()) output(args->html, sim::render_report_html(simulation, args->scenario));
  if (timeline) {
    const Status written = timeline->finish();
    if (!written.ok()) fail(written.error().message);
  }
  if (access_log) {
    const Status written = access_log->finish();
    if (!written.ok()) fail(written.error().message);
  }
  std::fputs(summary.c_str(), to_stdout ? stderr : stdout);
  return status;
}

}  // namespace sluice::cmd
