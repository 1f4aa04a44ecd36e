#include "cmd/cli_args.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::cmd {
namespace {

// parse_cli_args over `words`, as if they followed `sluice <command>`.
Result<CliArgs> parse(std::string_view command, std::vector<std::string> words) {
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  return parse_cli_args(command, static_cast<int>(argv.size()), argv.data(), 0);
}

TEST(CliArgs, HelpInEitherForm) {
  for (const char* flag : {"-h", "--help"}) {
    for (const char* command : {"serve", "worker", "check", "healthcheck"}) {
      auto args = parse(command, {flag});
      ASSERT_TRUE(args.ok()) << command << " " << flag;
      EXPECT_TRUE(args->help);
      EXPECT_TRUE(command_usage(command).starts_with("usage: sluice " + std::string(command)));
    }
  }
}

TEST(CliArgs, EachCommandTakesItsOwnFlags) {
  auto check = parse("check", {"--config", "a.yaml", "--listen", ":0", "--print"});
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(check->config_path, "a.yaml");
  EXPECT_EQ(check->overrides.at("server.listen"), ":0");
  EXPECT_TRUE(check->print);
  auto health = parse("healthcheck", {"--url", "http://h:1/livez"});
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->url, "http://h:1/livez");

  auto print_on_serve = parse("serve", {"--print"});
  ASSERT_FALSE(print_on_serve.ok());
  EXPECT_EQ(print_on_serve.error().message, "unknown flag --print");
  EXPECT_FALSE(parse("check", {"--url", "x"}).ok());
}

TEST(CliArgs, ServeTakesARole) {
  EXPECT_EQ(parse("serve", {})->role, "all");
  EXPECT_EQ(parse("serve", {"--role", "api"})->role, "api");
  EXPECT_EQ(parse("serve", {"--role", "worker"})->role, "worker");
  auto wrong = parse("serve", {"--role", "both"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "--role must be all, api or worker, not 'both'");
  EXPECT_FALSE(parse("worker", {"--role", "api"}).ok());
}

TEST(CliArgs, UnknownFlagsAndStrayArgumentsAreErrors) {
  auto single_dash = parse("check", {"-x"});
  ASSERT_FALSE(single_dash.ok());
  EXPECT_EQ(single_dash.error().message, "unknown flag -x");
  auto stray = parse("serve", {"extra"});
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.error().message, "unexpected argument 'extra'");
  auto no_value = parse("serve", {"--config"});
  ASSERT_FALSE(no_value.ok());
  EXPECT_EQ(no_value.error().message, "--config needs a value");
}

}  // namespace
}  // namespace sluice::cmd
