#include "cmd/cli_args.hpp"

#include <cstdio>
#include <string_view>

namespace sluice::cmd {

Result<CliArgs> parse_cli_args(int argc, char** argv, int first) {
  CliArgs args;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> Result<std::string> {
      if (i + 1 >= argc)
        return make_error(Errc::invalid_request, std::string(flag) + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--config" || arg == "-c") {
      auto v = value(arg);
      if (!v) return v.error();
      args.config_path = *v;
    } else if (arg == "--listen") {
      auto v = value(arg);
      if (!v) return v.error();
      args.overrides["server.listen"] = *v;
    } else if (arg == "--url") {
      auto v = value(arg);
      if (!v) return v.error();
      args.url = *v;
    } else if (arg == "--print") {
      args.print = true;
    } else if (arg.starts_with("--")) {
      return make_error(Errc::invalid_request, "unknown flag " + std::string(arg));
    } else {
      args.positional.emplace_back(arg);
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
  auto args = parse_cli_args(argc, argv, first);
  if (args) return std::move(*args);
  std::fprintf(stderr, "sluice %s: %s\n", command, args.error().message.c_str());
  return 2;
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
