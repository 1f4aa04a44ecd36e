#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace sluice::cmd {

// Flags shared by the subcommands: --config PATH, --listen HOST:PORT, --print, --url URL.
struct CliArgs {
  std::string config_path;                       // also from SLUICE_CONFIG
  std::map<std::string, std::string> overrides;  // config key path -> value (e.g. --listen)
  bool print = false;
  std::string url;
  std::vector<std::string> positional;
};

Result<CliArgs> parse_cli_args(int argc, char** argv, int first);

// The ConfigSource for these args and this process' environment.
core::ConfigSource config_source(const CliArgs& args);

// The same, printing the problem ("sluice <command>: ...") and giving the exit code (2) on failure.
Result<CliArgs, int> parse_cli_args_or_report(int argc, char** argv, int first,
                                              const char* command);
// Loads the configuration these args name; prints every problem and gives exit code 1 on failure.
Result<core::Config, int> load_config_or_report(const CliArgs& args);

// Prints each problem as "path: message (fix: ...)" on stderr.
void print_config_errors(const std::vector<core::ConfigError>& errors);

}  // namespace sluice::cmd
