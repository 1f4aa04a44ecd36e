#include "auth/base64url.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    const std::string encoded = encode_base64url(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
    EXPECT_EQ(decode_base64url(encoded), bytes) << encoded;
    bytes.push_back(static_cast<char>(0xF0 + i));
  }
}

TEST(Base64UrlTest, KnownValues) {
  EXPECT_EQ(encode_base64url("{\"alg\":\"RS256\"}"), "eyJhbGciOiJSUzI1NiJ9");
  EXPECT_EQ(decode_base64url("eyJhbGciOiJSUzI1NiJ9"), "{\"alg\":\"RS256\"}");
  EXPECT_EQ(decode_base64url("-_8"), "\xfb\xff");
}

TEST(Base64UrlTest, RefusesOtherAlphabetsPaddingAndSecondSpellings) {
  EXPECT_FALSE(decode_base64url("+/8"));     // standard base64's alphabet
  EXPECT_FALSE(decode_base64url("eyJ9=="));  // padding
  EXPECT_FALSE(decode_base64url("a"));       // no encoding is 1 mod 4 long
  EXPECT_FALSE(decode_base64url("-_9"));     // leftover bits set: "-_8" spelled otherwise
  EXPECT_FALSE(decode_base64url("ab.c"));
  EXPECT_TRUE(is_base64url("abc-_9"));
  EXPECT_FALSE(is_base64url(""));
  EXPECT_FALSE(is_base64url("ab c"));
}

}  // namespace
}  // namespace sluice::auth
