#pragma once

#include "cmd/cli_args.hpp"
#include "cmd/rag_wiring.hpp"

namespace sluice::cmd {

// The server process in `role`: `serve` (all or api) and `worker` share it. Returns the exit code.
int serve(const CliArgs& args, Role role);

}  // namespace sluice::cmd
