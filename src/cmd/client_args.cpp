#include "cmd/client_args.hpp"

#include "cmd/api_client.hpp"

namespace sluice::cmd {

Result<ClientArgs> parse_client_args(std::string_view command, int argc, char** argv, int first) {
  ClientArgs args;
  std::string url_flag, key_flag;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value_of = [&](std::string& out) -> Status {
      if (i + 1 >= argc)
        return make_error(Errc::invalid_request, std::string(arg) + " needs a value",
                          std::string(arg));
      out = argv[++i];
      return {};
    };
    Status status;
    if (arg == "--collection" || arg == "-c") {
      status = value_of(args.collection);
    } else if (arg == "--url") {
      status = value_of(url_flag);
    } else if (arg == "--key") {
      status = value_of(key_flag);
    } else if (arg == "--json" && command == "query") {
      args.json = true;
    } else if (arg == "--no-wait" && command == "ingest") {
      args.no_wait = true;
    } else if (arg == "-h" || arg == "--help") {
      args.help = true;
    } else if (arg.starts_with("-") && arg != "-") {
      return make_error(Errc::invalid_request,
                        "unknown flag " + std::string(arg) + " for " + std::string(command),
                        std::string(arg));
    } else {
      args.positional.emplace_back(arg);
    }
    if (!status) return status.error();
  }
  args.url = default_server_url(url_flag);
  args.key = default_api_key(key_flag);
  return args;
}

}  // namespace sluice::cmd
