#include "core/config_values.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::core {
namespace {

using std::chrono::milliseconds;

// The parsed value, or a test failure (instead of an assert) when parsing failed.
template <class T>
T ok(const ValueResult<T>& r) {
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : T{};
}

TEST(ConfigValuesDuration, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(ok(parse_duration("250ms")), milliseconds(250));
  EXPECT_EQ(ok(parse_duration("5s")), milliseconds(5'000));
  EXPECT_EQ(ok(parse_duration("1m")), milliseconds(60'000));
  EXPECT_EQ(ok(parse_duration("1h")), milliseconds(3'600'000));
  EXPECT_EQ(ok(parse_duration("7d")), milliseconds(7 * 86'400'000LL));
  EXPECT_EQ(ok(parse_duration("30")), milliseconds(30'000));
  EXPECT_EQ(ok(parse_duration("0")), milliseconds(0));
  EXPECT_EQ(ok(parse_duration("1.5s")), milliseconds(1'500));
  EXPECT_EQ(ok(parse_duration("0.25")), milliseconds(250));
  EXPECT_EQ(ok(parse_duration(" 10s ")), milliseconds(10'000));
}

TEST(ConfigValuesDuration, RejectsNegativesGarbageAndSubMillisecond) {
  for (const char* bad : {"-5s", "-1", "abc", "", "5x", "s", "5 seconds", "1.s", ".5s", "5ms5",
                          "1.0001s", "99999999999999999999h"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_NE(parse_duration("-5s").error().message.find("negative"), std::string::npos);
  EXPECT_NE(parse_duration("abc").error().message.find("'abc'"), std::string::npos);
}

TEST(ConfigValuesSeconds, TakesFractionsOfAnyUnit) {
  EXPECT_DOUBLE_EQ(ok(parse_seconds("12.5ms")).count(), 0.0125);
  EXPECT_DOUBLE_EQ(ok(parse_seconds("250us")).count(), 0.00025);
  EXPECT_DOUBLE_EQ(ok(parse_seconds("0.3s")).count(), 0.3);
  EXPECT_DOUBLE_EQ(ok(parse_seconds("0.3")).count(), 0.3);
  EXPECT_DOUBLE_EQ(ok(parse_seconds("2m")).count(), 120);
  EXPECT_DOUBLE_EQ(ok(parse_seconds("1.5h")).count(), 5400);
  EXPECT_DOUBLE_EQ(ok(parse_seconds("1d")).count(), 86400);
  EXPECT_DOUBLE_EQ(ok(parse_seconds(" 0 ")).count(), 0);
  for (const char* bad : {"-1ms", "", "ms", "5x", "1e3", "1 2s", "nan", "inf"}) {
    const auto r = parse_seconds(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("duration"), std::string::npos) << bad;
  }
}

TEST(ConfigValuesDuration, FormatRoundTrips) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(5'000)), "5s");
  EXPECT_EQ(format_duration(milliseconds(600'000)), "10m");
  EXPECT_EQ(format_duration(milliseconds(7'200'000)), "2h");
  EXPECT_EQ(format_duration(milliseconds(2 * 86'400'000LL)), "2d");
  EXPECT_EQ(format_duration(milliseconds(1'500)), "1500ms");
  for (long long ms : {0LL, 1LL, 999LL, 1'000LL, 61'000LL, 3'600'001LL, 90'000'000LL}) {
    EXPECT_EQ(ok(parse_duration(format_duration(milliseconds(ms)))), milliseconds(ms)) << ms;
  }
}

TEST(ConfigValuesBytes, AcceptsBinaryDecimalAndBareBytes) {
  EXPECT_EQ(ok(parse_byte_size("1MiB")), 1024u * 1024u);
  EXPECT_EQ(ok(parse_byte_size("16KiB")), 16u * 1024u);
  EXPECT_EQ(ok(parse_byte_size("1MB")), 1'000'000u);
  EXPECT_EQ(ok(parse_byte_size("1kb")), 1'000u);
  EXPECT_EQ(ok(parse_byte_size("512k")), 512u * 1024u);
  EXPECT_EQ(ok(parse_byte_size("2M")), 2u * 1024u * 1024u);
  EXPECT_EQ(ok(parse_byte_size("1Gi")), 1024u * 1024u * 1024u);
  EXPECT_EQ(ok(parse_byte_size("4096")), 4096u);
  EXPECT_EQ(ok(parse_byte_size("100B")), 100u);
  EXPECT_EQ(ok(parse_byte_size("1.5KiB")), 1536u);
  EXPECT_EQ(ok(parse_byte_size("16 KiB")), 16u * 1024u);
}

TEST(ConfigValuesBytes, RejectsNegativesGarbageAndFractionalBytes) {
  for (const char* bad : {"-1", "-1KiB", "abc", "", "12XB", "1.5", "0.3k", "KiB", "1e6"}) {
    auto r = parse_byte_size(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_NE(parse_byte_size("-1").error().message.find("negative"), std::string::npos);
}

TEST(ConfigValuesBool, AcceptsTheUsualSpellings) {
  for (const char* t : {"true", "True", "yes", "on", "1", "ON"})
    EXPECT_TRUE(ok(parse_bool(t))) << t;
  for (const char* f : {"false", "FALSE", "no", "off", "0"}) EXPECT_FALSE(ok(parse_bool(f))) << f;
  for (const char* bad : {"", "2", "maybe", "tru"}) EXPECT_FALSE(parse_bool(bad).ok()) << bad;
}

TEST(ConfigValuesInteger, ParsesAndRejects) {
  EXPECT_EQ(ok(parse_integer("42")), 42);
  EXPECT_EQ(ok(parse_integer("-3")), -3);
  EXPECT_EQ(ok(parse_integer("+7")), 7);
  for (const char* bad : {"", "abc", "4.0", "12x", "99999999999999999999"}) {
    EXPECT_FALSE(parse_integer(bad).ok()) << bad;
  }
  EXPECT_EQ(parse_integer("abc").error().message, "expected an integer, got 'abc'");
}

TEST(ConfigValuesListen, ParsesHostPortForms) {
  EXPECT_EQ(ok(parse_listen("127.0.0.1:8080")), (ListenAddress{"127.0.0.1", 8080}));
  EXPECT_EQ(ok(parse_listen("localhost:0")), (ListenAddress{"localhost", 0}));
  EXPECT_EQ(ok(parse_listen("[::1]:8080")), (ListenAddress{"::1", 8080}));
  EXPECT_EQ(ok(parse_listen("[::]:443")), (ListenAddress{"::", 443}));
  EXPECT_EQ(ok(parse_listen(":8080")), (ListenAddress{"0.0.0.0", 8080}));
  EXPECT_EQ(ok(parse_listen("0.0.0.0:65535")), (ListenAddress{"0.0.0.0", 65535}));
}

TEST(ConfigValuesListen, RejectsBadAddresses) {
  for (const char* bad :
       {"", "8080", "localhost", "localhost:", "host:65536", "host:-1", "host:http", "::1:8080",
        "[::1]8080", "[::1", "[]:80", "a b:80", "host:80x"}) {
    auto r = parse_listen(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_NE(parse_listen("::1:8080").error().message.find("brackets"), std::string::npos);
}

TEST(ConfigValuesPort, Range) {
  EXPECT_EQ(ok(parse_port("0")), 0);
  EXPECT_EQ(ok(parse_port("65535")), 65535);
  EXPECT_FALSE(parse_port("65536").ok());
  EXPECT_FALSE(parse_port("-1").ok());
  EXPECT_FALSE(parse_port("").ok());
  EXPECT_FALSE(parse_port("80a").ok());
}

TEST(ConfigValuesEnums, LogLevelsFormatsProfiles) {
  EXPECT_EQ(ok(parse_log_level("debug")), LogLevel::debug);
  EXPECT_EQ(ok(parse_log_level("INFO")), LogLevel::info);
  EXPECT_EQ(ok(parse_log_level("warning")), LogLevel::warn);
  EXPECT_EQ(ok(parse_log_level("error")), LogLevel::error);
  EXPECT_FALSE(parse_log_level("verbose").ok());
  EXPECT_EQ(ok(parse_log_format("json")), LogFormat::json);
  EXPECT_EQ(ok(parse_log_format("text")), LogFormat::text);
  EXPECT_FALSE(parse_log_format("xml").ok());
  EXPECT_EQ(ok(parse_profile("dev")), Profile::dev);
  EXPECT_EQ(ok(parse_profile("development")), Profile::dev);
  EXPECT_EQ(ok(parse_profile("staging")), Profile::staging);
  EXPECT_EQ(ok(parse_profile("prod")), Profile::prod);
  EXPECT_EQ(ok(parse_profile("production")), Profile::prod);
  auto bad = parse_profile("qa");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'qa'"), std::string::npos);
}

}  // namespace
}  // namespace sluice::core

namespace sluice::core {
namespace {
TEST(ConfigValuesNumberTest, ParsesFiniteNumbers) {
  EXPECT_DOUBLE_EQ(*parse_number("0.15"), 0.15);
  EXPECT_DOUBLE_EQ(*parse_number(" 2 "), 2.0);
  EXPECT_DOUBLE_EQ(*parse_number("1e-3"), 0.001);
  EXPECT_FALSE(parse_number("abc").ok());
  EXPECT_FALSE(parse_number("1.5x").ok());
  EXPECT_FALSE(parse_number("").ok());
  EXPECT_FALSE(parse_number("inf").ok());
}

TEST(ConfigValues, RedactUrlCredentials) {
  EXPECT_EQ(redact_url_credentials("http://user:pw@host:1/v1"), "http://user:<redacted>@host:1/v1");
  EXPECT_EQ(redact_url_credentials("https://tok@host/v1"), "https://<redacted>@host/v1");
  EXPECT_EQ(redact_url_credentials("https://host/v1?a=b:c@d"), "https://host/v1?a=b:c@d");
  EXPECT_EQ(redact_url_credentials("https://host:443"), "https://host:443");
  EXPECT_EQ(redact_url_credentials("not a url"), "not a url");
}

}  // namespace
}  // namespace sluice::core
