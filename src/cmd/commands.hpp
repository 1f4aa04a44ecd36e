#pragma once

namespace sluice::cmd {

// Each returns the process exit code. argv[first] is the first argument after the subcommand.
int run_serve(int argc, char** argv, int first);
int run_worker(int argc, char** argv, int first);
int run_check(int argc, char** argv, int first);
int run_healthcheck(int argc, char** argv, int first);
int run_mock_upstream(int argc, char** argv, int first);
int run_ingest(int argc, char** argv, int first);
int run_query(int argc, char** argv, int first);
// In the simulator's own library (src/sim), as mock-upstream's body is in src/mock.
int run_simulate(int argc, char** argv, int first);
int run_version();

}  // namespace sluice::cmd
