#include "cmd/cli_args.hpp"

#include <algorithm>
#include <cstdio>

namespace sluice::cmd {
namespace {

struct CommandSpec {
  std::string_view name;
  std::vector<std::string_view> flags;  // besides --config, -c, -h and --help
  std::string_view usage;
};

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> specs = {
      {"serve",
       {"--listen", "--role"},
       "usage: sluice serve [--config PATH] [--listen HOST:PORT] [--role all|api|worker]\n"
       "  runs the API server\n"
       "  --config, -c PATH    the YAML config (default: $SLUICE_CONFIG, else none)\n"
       "  --listen HOST:PORT   overrides server.listen\n"
       "  --role ROLE          all (default): API and ingestion workers; api: no workers;\n"
       "                       worker: workers with probes and /metrics only\n"
       "profile: SLUICE_ENV=dev|staging|prod; every key also from SLUICE_<SECTION>__<KEY>\n"},
      {"worker",
       {"--listen"},
       "usage: sluice worker [--config PATH] [--listen HOST:PORT]\n"
       "  runs ingestion workers (rag.workers) with probes and /metrics on server.listen\n"
       "  --config, -c PATH    the YAML config (default: $SLUICE_CONFIG, else none)\n"
       "  --listen HOST:PORT   overrides server.listen\n"},
      {"check",
       {"--listen", "--print"},
       "usage: sluice check [--config PATH] [--listen HOST:PORT] [--print]\n"
       "  validates the config and probes its dependencies (data directory, listen address,\n"
       "  providers) without changing anything; exit 1 when a problem is found\n"
       "  --config, -c PATH    the YAML config (default: $SLUICE_CONFIG, else none)\n"
       "  --listen HOST:PORT   overrides server.listen\n"
       "  --print              prints the effective config, without secrets\n"},
      {"healthcheck",
       {"--listen", "--url"},
       "usage: sluice healthcheck [--url URL | --config PATH | --listen HOST:PORT]\n"
       "  exit 0 iff the local instance's /livez answers 200\n"
       "  --url URL            the URL to probe (default: /livez at the config's listen address)\n"
       "  --config, -c PATH    the YAML config to find the listen address in\n"
       "  --listen HOST:PORT   the address to probe\n"},
  };
  return specs;
}

const CommandSpec* find_command(std::string_view command) {
  for (const CommandSpec& spec : command_specs())
    if (spec.name == command) return &spec;
  return nullptr;
}

}  // namespace

std::string_view command_usage(std::string_view command) {
  const CommandSpec* spec = find_command(command);
  return spec ? spec->usage : std::string_view();
}

Result<CliArgs> parse_cli_args(std::string_view command, int argc, char** argv, int first) {
  const CommandSpec* spec = find_command(command);
  const auto takes = [spec](std::string_view flag) {
    return spec && std::find(spec->flags.begin(), spec->flags.end(), flag) != spec->flags.end();
  };
  CliArgs args;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= argc)
        return make_error(Errc::invalid_request, std::string(arg) + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      args.help = true;
    } else if (arg == "--config" || arg == "-c") {
      auto v = value();
      if (!v) return v.error();
      args.config_path = *v;
    } else if (arg == "--listen" && takes(arg)) {
      auto v = value();
      if (!v) return v.error();
      args.overrides["server.listen"] = *v;
    } else if (arg == "--url" && takes(arg)) {
      auto v = value();
      if (!v) return v.error();
      args.url = *v;
    } else if (arg == "--role" && takes(arg)) {
      auto v = value();
      if (!v) return v.error();
      if (*v != "all" && *v != "api" && *v != "worker")
        return make_error(Errc::invalid_request,
                          "--role must be all, api or worker, not '" + *v + "'");
      args.role = *v;
    } else if (arg == "--print" && takes(arg)) {
      args.print = true;
    } else if (arg.starts_with("-")) {
      return make_error(Errc::invalid_request, "unknown flag " + std::string(arg));
    } else {
      return make_error(Errc::invalid_request, "unexpected argument '" + std::string(arg) + "'");
    }
  }
  return args;
}

core::ConfigSource config_source(const CliArgs& args) {
  core::ConfigSource source;
  source.env = core::process_environment();
  source.file = args.config_path;
  if (source.file.empty())
    if (auto it = source.env.find("SLUICE_CONFIG"); it != source.env.end())
      source.file = it->second;
  source.overrides = args.overrides;
  return source;
}

Result<CliArgs, int> parse_cli_args_or_report(int argc, char** argv, int first,
                                              const char* command) {
  auto args = parse_cli_args(command, argc, argv, first);
  const std::string usage(command_usage(command));
  if (!args) {
    std::fprintf(stderr, "sluice %s: %s\n%s", command, args.error().message.c_str(), usage.c_str());
    return 2;
  }
  if (args->help) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  return std::move(*args);
}

Result<core::Config, int> load_config_or_report(const CliArgs& args) {
  auto config = core::load_config(config_source(args));
  if (config) return std::move(*config);
  print_config_errors(config.error());
  return 1;
}

void print_config_errors(const std::vector<core::ConfigError>& errors) {
  for (const auto& error : errors) {
    std::fprintf(stderr, "config error: %s: %s", error.path.c_str(), error.message.c_str());
    if (!error.fix.empty()) std::fprintf(stderr, " (fix: %s)", error.fix.c_str());
    std::fputc('\n', stderr);
  }
}

}  // namespace sluice::cmd
