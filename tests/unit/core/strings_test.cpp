#include "core/strings.hpp"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

TEST(StringsTest, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("a[", "A{"));  // '[' and '{' are 32 apart but are not letters
}

TEST(StringsTest, TrimRemovesAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim(" \t 12 s\r\n"), "12 s");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(StringsTest, LowerMapsAsciiLettersOnly) { EXPECT_EQ(lower("MiB-Ä1"), "mib-Ä1"); }

}  // namespace
}  // namespace sluice::core
