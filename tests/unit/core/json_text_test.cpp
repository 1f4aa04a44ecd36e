#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace sluice::core {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonTextTest, EscapesPerRfc8259) {
  EXPECT_EQ(quoted("plain"), "\"plain\"");
  EXPECT_EQ(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quoted("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(quoted(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(quoted("h\xc3\xa9llo"), "\"h\xc3\xa9llo\"");  // UTF-8 passes through
}

// The fast path tests eight bytes at a time: every special byte, at every offset of strings
// around that width, must come back exactly when the output is parsed as JSON.
TEST(JsonTextTest, EverySpecialByteAtEveryOffsetRoundTrips) {
  for (std::string_view special : {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9", " "}) {
    for (std::size_t length = 0; length <= 24; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        text.insert(at, special);
        const auto parsed = boost::json::parse(quoted(std::string_view(text)));
        ASSERT_TRUE(parsed.is_string()) << text;
        EXPECT_EQ(std::string_view(parsed.as_string()), text)
            << "length " << length << " at " << at;
      }
    }
  }
}

TEST(JsonTextTest, ReplacesInvalidUtf8WithReplacementCharacter) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(quoted("a\xffz"), "\"a" + fffd + "z\"");                    // never a lead byte
  EXPECT_EQ(quoted("a\x80z"), "\"a" + fffd + "z\"");                    // lone continuation
  EXPECT_EQ(quoted("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(quoted("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(quoted("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(quoted("\xe2\x82"), "\"" + fffd + "\"");  // truncated: one maximal subpart
  EXPECT_EQ(quoted("\xe2\x82x"), "\"" + fffd + "x\"");
  EXPECT_EQ(quoted("\xf0\x9f\x98\x80\"\xc3"), "\"\xf0\x9f\x98\x80\\\"" + fffd + "\"");
  EXPECT_EQ(quoted("\xe2\x82\xac\xef\xbf\xbf"), "\"\xe2\x82\xac\xef\xbf\xbf\"");  // valid
}

TEST(ErrorBodyTest, InvalidUtf8InMessageStaysValidJson) {
  auto body = render_error_body(make_error(Errc::not_found, "no route for GET /\xff\xfe"));
  EXPECT_EQ(body.find('\xff'), std::string::npos);
  EXPECT_NE(body.find("/\xef\xbf\xbd\xef\xbf\xbd\""), std::string::npos) << body;
}

TEST(ErrorBodyTest, HasOpenAiShape) {
  auto body =
      render_error_body(make_error(Errc::not_found, "no \"x\"", "model", "model_not_found"));
  EXPECT_EQ(
      body,
      R"({"error":{"message":"no \"x\"","type":"not_found_error","param":"model","code":"model_not_found"}})");
  auto bare = render_error_body(make_error(Errc::invalid_request, "bad"));
  EXPECT_EQ(
      bare,
      R"({"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}})");
}

TEST(ErrorBodyTest, StatusAndTypeMapping) {
  EXPECT_EQ(http_status(Errc::payload_too_large), 413);
  EXPECT_EQ(http_status(Errc::headers_too_large), 431);
  EXPECT_EQ(http_status(Errc::request_timeout), 408);
  EXPECT_EQ(openai_error_type(Errc::unauthorized), "authentication_error");
  EXPECT_EQ(openai_error_type(Errc::rate_limited), "rate_limit_error");
  EXPECT_EQ(errc_from_status(429), Errc::rate_limited);
  EXPECT_EQ(errc_from_status(599), Errc::internal);
  EXPECT_EQ(errc_from_status(418), Errc::invalid_request);
}

TEST(JsonTextTest, NumbersAreShortestAndNonFiniteIsNull) {
  std::string out;
  append_json_number(out, -42);
  out += ' ';
  append_json_number(out, std::size_t{18446744073709551615u});
  out += ' ';
  append_json_number(out, 0.1);
  out += ' ';
  append_json_number(out, 1.5f);
  out += ' ';
  append_json_number(out, std::numeric_limits<double>::infinity());
  out += ' ';
  append_json_number(out, std::nan(""));
  EXPECT_EQ(out, "-42 18446744073709551615 0.1 1.5 null null");
}

}  // namespace
}  // namespace sluice::core
