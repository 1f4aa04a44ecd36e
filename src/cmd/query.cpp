// `sluice query TEXT`: asks a running server (POST /v1/query) and prints the answer with its
// numbered sources, or the raw response with --json.

#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "cmd/answer_text.hpp"
#include "cmd/api_client.hpp"
#include "cmd/client_args.hpp"
#include "cmd/commands.hpp"

namespace sluice::cmd {
namespace json = boost::json;

namespace {

constexpr const char* kQueryUsage =
    "usage: sluice query TEXT... [--collection C] [--url URL] [--key KEY] [--json]\n"
    "  asks a running server; URL defaults to $SLUICE_URL or http://127.0.0.1:8080,\n"
    "  KEY to $SLUICE_API_KEY\n";

}  // namespace

int run_query(int argc, char** argv, int first) {
  auto args = parse_client_args("query", argc, argv, first);
  if (!args) {
    std::fprintf(stderr, "sluice query: %s\n%s", args.error().message.c_str(), kQueryUsage);
    return 2;
  }
  if (args->help) {
    std::fputs(kQueryUsage, stdout);
    return 0;
  }
  if (args->positional.empty()) {
    std::fprintf(stderr, "sluice query: no question\n%s", kQueryUsage);
    return 2;
  }
  std::string question;
  for (const auto& word : args->positional) question += (question.empty() ? "" : " ") + word;
  auto client = ApiClient::create(args->url, args->key);
  if (!client) {
    std::fprintf(stderr, "sluice query: --url %s: %s\n", args->url.c_str(),
                 client.error().message.c_str());
    return 2;
  }
  json::object body{{"question", question}};
  if (!args->collection.empty()) body["collection"] = args->collection;
  auto response = client->request("POST", "/v1/query", "application/json", json::serialize(body));
  if (!response) {
    std::fprintf(stderr, "sluice query: %s: %s\n", args->url.c_str(),
                 response.error().message.c_str());
    return 1;
  }
  if (response->status != 200) {
    std::fprintf(stderr, "sluice query: %d %s\n", response->status,
                 error_message(*response).c_str());
    return 1;
  }
  if (args->json) {
    std::fputs(response->body.c_str(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  boost::system::error_code ec;
  const json::value parsed = json::parse(response->body, ec);
  if (ec || !parsed.is_object()) {
    std::fprintf(stderr, "sluice query: the server answered something other than JSON\n");
    return 1;
  }
  std::fputs(render_answer(parsed.get_object()).c_str(), stdout);
  return 0;
}

}  // namespace sluice::cmd
