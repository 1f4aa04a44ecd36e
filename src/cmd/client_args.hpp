#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::cmd {

// Flags of the CLI clients (`sluice ingest`, `sluice query`): --collection C, --url URL,
// --key KEY, --json (query), --no-wait (ingest), -h/--help; the rest are positional.
struct ClientArgs {
  std::string collection;  // empty = the server's rag.default_collection
  std::string url;         // resolved: --url, $SLUICE_URL or http://127.0.0.1:8080
  std::string key;         // resolved: --key or $SLUICE_API_KEY
  bool json = false;
  bool no_wait = false;
  bool help = false;
  std::vector<std::string> positional;
};

// `command` is "ingest" or "query": each accepts only its own flags. Errors name the flag.
Result<ClientArgs> parse_client_args(std::string_view command, int argc, char** argv, int first);

}  // namespace sluice::cmd
