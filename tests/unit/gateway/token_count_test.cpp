#include "gateway/token_count.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace sluice::gateway {
namespace {

long long count_of(std::string_view json_text) {
  return token_count(boost::json::parse(json_text));
}

TEST(TokenCountTest, IntegersInRangeAreKept) {
  EXPECT_EQ(count_of("0"), 0);
  EXPECT_EQ(count_of("42"), 42);
  EXPECT_EQ(count_of("1000000000000"), kMaxTokenCount);
}

TEST(TokenCountTest, OutOfRangeNumbersAreClamped) {
  EXPECT_EQ(count_of("-5"), 0);
  EXPECT_EQ(count_of("1000000000001"), kMaxTokenCount);
  EXPECT_EQ(count_of("18446744073709551615"), kMaxTokenCount);  // uint64 max
  EXPECT_EQ(count_of("1e300"), kMaxTokenCount);                 // once a negative metric
  EXPECT_EQ(count_of("-1e300"), 0);
}

TEST(TokenCountTest, FractionalNumbersAreRoundedDown) {
  EXPECT_EQ(count_of("1e3"), 1000);
  EXPECT_EQ(count_of("12.9"), 12);
  EXPECT_EQ(count_of("0.5"), 0);
}

TEST(TokenCountTest, OtherValuesCountZero) {
  for (const char* text : {"null", "true", "\"12\"", "[1]", "{\"n\":1}"})
    EXPECT_EQ(count_of(text), 0) << text;
}

}  // namespace
}  // namespace sluice::gateway
