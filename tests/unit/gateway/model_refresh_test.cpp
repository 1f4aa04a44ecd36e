#include "gateway/model_refresh.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "fake_provider.hpp"
#include "ops/logger.hpp"

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::vector<std::string> ids(const Catalog& catalog) {
  std::vector<std::string> out;
  for (const auto& m : catalog.listed_models()) out.push_back(m.id);
  return out;
}

// Captures the process logger's lines in a temp file for the test's lifetime.
class CapturedLog {
 public:
  CapturedLog() : file_(std::tmpfile()) { ops::logger().set_output_fd(::fileno(file_)); }
  ~CapturedLog() {
    ops::logger().set_output_fd(1);
    std::fclose(file_);
  }
  std::string text() const {
    std::fflush(file_);
    std::ifstream in("/proc/self/fd/" + std::to_string(::fileno(file_)));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::FILE* file_;
};

TEST(ModelListRefresherTest, FailuresAreLoggedOncePerStreakAndTheLastListIsKept) {
  core::GatewayConfig config;
  config.providers = {core::ProviderConfig{}};
  config.providers[0].name = "up";
  config.default_provider = "up";
  std::vector<testing::FakeProvider*> fakes;
  auto catalog = testing::fake_catalog(config, fakes);
  ASSERT_TRUE(catalog);
  testing::FakeProvider& up = *fakes[0];
  up.known = {"m1", "m2"};
  up.list_failures_left = 3;

  CapturedLog log;
  ModelListRefresher refresher(*catalog, 1ms);
  {
    boost::asio::io_context io;
    boost::asio::co_spawn(io, refresher.run(), boost::asio::detached);
    while (up.list_calls < 4) io.run_one();  // three failures, then a list
    EXPECT_EQ(ids(*catalog), (std::vector<std::string>{"up/m1", "up/m2", "m1", "m2"}));
    up.list_failures_left = 2;  // a second streak: the last good list stays
    while (up.list_calls < 7) io.run_one();
    EXPECT_EQ(ids(*catalog), (std::vector<std::string>{"up/m1", "up/m2", "m1", "m2"}));
    up.known = {"m3"};
    while (up.list_calls < 8) io.run_one();
  }
  EXPECT_EQ(ids(*catalog), (std::vector<std::string>{"up/m3", "m3"}));
  const std::string lines = log.text();
  EXPECT_EQ(count(lines, "cannot fetch the upstream model list"), 2u) << lines;  // one per streak
  EXPECT_EQ(count(lines, "upstream model list fetched again"), 2u) << lines;
}

}  // namespace
}  // namespace sluice::gateway
