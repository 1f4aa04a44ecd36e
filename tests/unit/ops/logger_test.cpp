#include "ops/logger.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sluice::ops {
namespace {

// A logger writing to a temp file, read back whole.
class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    logger_.set_output_fd(fileno(file_));
  }
  void TearDown() override { std::fclose(file_); }
  std::string written() {
    std::fflush(file_);
    std::string out;
    ::lseek(fileno(file_), 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fileno(file_), buf, sizeof buf)) > 0)
      out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  Logger logger_;
  std::FILE* file_ = nullptr;
};

TEST_F(LoggerTest, JsonLineWithTypedFields) {
  logger_.configure(core::LogLevel::info, core::LogFormat::json);
  logger_.info("hello \"world\"", {{"count", 3}, {"ratio", 0.5}, {"ok", true}, {"who", "a\nb"}});
  const std::string out = written();
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(out.rfind("{\"ts\":\"", 0), 0u);
  EXPECT_NE(
      out.find("\",\"level\":\"info\",\"msg\":\"hello \\\"world\\\"\",\"count\":3,\"ratio\":0.5,"
               "\"ok\":true,\"who\":\"a\\nb\"}\n"),
      std::string::npos)
      << out;
  EXPECT_EQ(out[7 + 23], 'Z') << "RFC 3339 UTC timestamp with milliseconds: " << out;
}

TEST_F(LoggerTest, LevelFilters) {
  logger_.configure(core::LogLevel::warn, core::LogFormat::json);
  logger_.info("dropped");
  logger_.error("kept");
  const std::string out = written();
  EXPECT_EQ(out.find("dropped"), std::string::npos);
  EXPECT_NE(out.find("\"level\":\"error\""), std::string::npos);
}

TEST_F(LoggerTest, TextFormatIsReadable) {
  logger_.configure(core::LogLevel::debug, core::LogFormat::text);
  logger_.debug("listening", {{"port", 8080}, {"host", "0.0.0.0"}, {"note", "two words"}});
  const std::string out = written();
  EXPECT_NE(out.find(" DEBUG listening port=8080 host=0.0.0.0 note=\"two words\"\n"),
            std::string::npos)
      << out;
}

TEST_F(LoggerTest, BufferedLinesWaitForFlushOrLimit) {
  logger_.configure(core::LogLevel::info, core::LogFormat::json);
  logger_.set_buffer_limit(1024);
  auto access = [&](int i) {
    std::string& line = logger_.begin_line(core::LogLevel::info, "request");
    logger_.append_field(line, {"i", i});
    logger_.finish_buffered_line(line);
  };
  access(1);
  EXPECT_EQ(written(), "");  // held back
  logger_.flush_thread();
  EXPECT_NE(written().find("\"i\":1}"), std::string::npos);
  for (int i = 0; i < 20; ++i) access(100 + i);  // ~60 bytes each: passes 1 KiB on the way
  EXPECT_NE(written().find("\"i\":110"), std::string::npos) << "limit reached: written out";
}

TEST_F(LoggerTest, UnbufferedLineFlushesEarlierBufferedOnesFirst) {
  logger_.configure(core::LogLevel::info, core::LogFormat::json);
  logger_.set_buffer_limit(1 << 20);
  std::string& line = logger_.begin_line(core::LogLevel::info, "request");
  logger_.finish_buffered_line(line);
  logger_.warn("later");
  const std::string out = written();
  ASSERT_NE(out.find("\"msg\":\"request\""), std::string::npos);
  EXPECT_LT(out.find("\"msg\":\"request\""), out.find("\"msg\":\"later\""));
}

TEST_F(LoggerTest, ZeroLimitMeansAWritePerLine) {
  logger_.configure(core::LogLevel::info, core::LogFormat::json);
  logger_.set_buffer_limit(0);
  std::string& line = logger_.begin_line(core::LogLevel::info, "request");
  logger_.finish_buffered_line(line);
  EXPECT_NE(written().find("\"msg\":\"request\""), std::string::npos);
}

}  // namespace
}  // namespace sluice::ops
