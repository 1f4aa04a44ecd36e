#include "cmd/commands.hpp"
#include "cmd/serve.hpp"

namespace sluice::cmd {

int run_worker(int argc, char** argv, int first) {
  auto args = parse_cli_args_or_report(argc, argv, first, "worker");
  if (!args) return args.error();
  return serve(*args, Role::worker);
}

}  // namespace sluice::cmd
