#include "rag/utf8.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(Utf8Test, DecodesEachSequenceLength) {
  const std::string text = "a\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80";  // a ä € 😀
  EXPECT_EQ(decode_utf8(text, 0).code_point, U'a');
  EXPECT_EQ(decode_utf8(text, 1).code_point, U'ä');
  EXPECT_EQ(decode_utf8(text, 1).length, 2u);
  EXPECT_EQ(decode_utf8(text, 3).code_point, U'€');
  EXPECT_EQ(decode_utf8(text, 6).code_point, char32_t{0x1F600});
  EXPECT_EQ(decode_utf8(text, 6).length, 4u);
}

TEST(Utf8Test, RejectsOverlongsSurrogatesTruncationAndStrayBytes) {
  for (const std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                "\xE2\x82", "\x80", "\xFF"}) {
    const DecodedCodePoint decoded = decode_utf8(bad, 0);
    EXPECT_FALSE(decoded.valid) << bad;
    EXPECT_EQ(decoded.length, 1u);
    EXPECT_FALSE(is_valid_utf8(bad));
  }
  EXPECT_TRUE(is_valid_utf8("plain \xC3\xA4 text"));
}

TEST(Utf8Test, ReplacesEachIllFormedByte) {
  std::size_t replaced = 0;
  EXPECT_EQ(to_valid_utf8("a\xFF"
                          "b\xE2\x82",
                          &replaced),
            "a\uFFFD"
            "b\uFFFD\uFFFD");
  EXPECT_EQ(replaced, 3u);
}

TEST(Utf8Test, EncodesEveryLength) {
  std::string out;
  for (char32_t c : {U'a', U'ä', U'€', char32_t{0x1F600}}) append_utf8(out, c);
  EXPECT_EQ(out, "a\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Utf8Test, BoundaryNeverFallsInsideASequence) {
  const std::string text =
      "a\xE2\x82\xAC"
      "b";
  EXPECT_EQ(utf8_boundary_before(text, 0), 0u);
  EXPECT_EQ(utf8_boundary_before(text, 1), 1u);
  EXPECT_EQ(utf8_boundary_before(text, 2), 1u);
  EXPECT_EQ(utf8_boundary_before(text, 3), 1u);
  EXPECT_EQ(utf8_boundary_before(text, 4), 4u);
  EXPECT_EQ(utf8_boundary_before(text, 99), text.size());
  EXPECT_EQ(utf8_boundary_before("\x80\x80\x80\x80\x80", 3), 3u);  // stray bytes are units
}

}  // namespace
}  // namespace sluice::rag
