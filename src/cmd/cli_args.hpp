#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace sluice::cmd {

// Flags of serve, check and healthcheck: --config PATH, --listen HOST:PORT, --print (check),
// --url URL (healthcheck), -h/--help.
struct CliArgs {
  std::string config_path;                       // also from SLUICE_CONFIG
  std::map<std::string, std::string> overrides;  // config key path -> value (e.g. --listen)
  bool print = false;
  bool help = false;
  std::string url;
  std::string role = "all";  // serve --role: all | api | worker
};

// The arguments after `sluice <command>`; an Error names a flag the command does not take, a
// flag without its value, or a stray argument.
Result<CliArgs> parse_cli_args(std::string_view command, int argc, char** argv, int first);

// `sluice <command> --help`'s text.
std::string_view command_usage(std::string_view command);

// The ConfigSource for these args and this process' environment.
core::ConfigSource config_source(const CliArgs& args);

// parse_cli_args, then: on an error, prints it with the usage on stderr and gives exit code 2;
// on --help, prints the usage on stdout and gives exit code 0.
Result<CliArgs, int> parse_cli_args_or_report(int argc, char** argv, int first,
                                              const char* command);
// Loads the configuration these args name; prints every problem and gives exit code 1 on failure.
Result<core::Config, int> load_config_or_report(const CliArgs& args);

// Prints each problem as "path: message (fix: ...)" on stderr.
void print_config_errors(const std::vector<core::ConfigError>& errors);

}  // namespace sluice::cmd
