#include "cmd/client_args.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace sluice::cmd {
namespace {

Result<ClientArgs> parse(std::string_view command, std::vector<std::string> words) {
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  return parse_client_args(command, static_cast<int>(argv.size()), argv.data(), 0);
}

TEST(ClientArgsTest, ReadsFlagsAndPositionals) {
  auto args = parse("query", {"what", "--collection", "docs", "--url", "http://h:1", "--key", "k",
                              "--json", "now?"});
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->collection, "docs");
  EXPECT_EQ(args->url, "http://h:1");
  EXPECT_EQ(args->key, "k");
  EXPECT_TRUE(args->json);
  EXPECT_EQ(args->positional, (std::vector<std::string>{"what", "now?"}));
}

TEST(ClientArgsTest, EachCommandTakesOnlyItsFlags) {
  EXPECT_FALSE(parse("ingest", {"--json"}).ok());
  EXPECT_FALSE(parse("query", {"--no-wait"}).ok());
  EXPECT_TRUE(parse("ingest", {"--no-wait", "x"})->no_wait);
  EXPECT_EQ(parse("query", {"--url"}).error().param, "--url");
}

TEST(ClientArgsTest, UrlAndKeyFallBackToTheEnvironment) {
  ::setenv("SLUICE_URL", "http://env:9", 1);
  ::setenv("SLUICE_API_KEY", "env-key", 1);
  auto args = parse("query", {"q"});
  EXPECT_EQ(args->url, "http://env:9");
  EXPECT_EQ(args->key, "env-key");
  ::unsetenv("SLUICE_URL");
  ::unsetenv("SLUICE_API_KEY");
  EXPECT_EQ(parse("query", {"q"})->url, "http://127.0.0.1:8080");
  EXPECT_EQ(parse("query", {"q"})->key, "");
}

}  // namespace
}  // namespace sluice::cmd
