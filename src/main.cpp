#include <cstdio>
#include <string_view>

#include "cmd/commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: sluice <command> [flags]\n"
    "commands:\n"
    "  serve        run the API server (--config PATH, --listen HOST:PORT, --role all|api|worker)\n"
    "  worker       run ingestion workers only, with probes and /metrics\n"
    "  check        validate the config and probe its dependencies (--print shows it)\n"
    "  healthcheck  exit 0 iff the local instance's /livez answers 200 (--url URL)\n"
    "  mock-upstream  run a fake OpenAI-compatible provider with fault injection (--help)\n"
    "  ingest PATH...  upload files and folders to a running server (--help)\n"
    "  query TEXT   ask a running server a question; prints the answer and its sources\n"
    "  simulate SCENARIO  run a what-if scenario through the gateway's own code in virtual time\n"
    "  version      print the version\n"
    "config: --config PATH or SLUICE_CONFIG; profile: SLUICE_ENV=dev|staging|prod\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string_view command = argv[1];
  if (command == "serve") return sluice::cmd::run_serve(argc, argv, 2);
  if (command == "worker") return sluice::cmd::run_worker(argc, argv, 2);
  if (command == "check") return sluice::cmd::run_check(argc, argv, 2);
  if (command == "healthcheck") return sluice::cmd::run_healthcheck(argc, argv, 2);
  if (command == "ingest") return sluice::cmd::run_ingest(argc, argv, 2);
  if (command == "query") return sluice::cmd::run_query(argc, argv, 2);
  if (command == "mock-upstream") return sluice::cmd::run_mock_upstream(argc, argv, 2);
  if (command == "simulate") return sluice::cmd::run_simulate(argc, argv, 2);
  if (command == "version" || command == "--version") return sluice::cmd::run_version();
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "sluice: unknown command '%s'\n%s", argv[1], kUsage);
  return 2;
}
