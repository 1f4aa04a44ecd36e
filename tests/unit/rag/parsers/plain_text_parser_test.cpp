#include "rag/parsers/plain_text_parser.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(PlainTextParserTest, SplitsParagraphsOnBlankLines) {
  const auto parsed =
      parse_plain_text("  First line\r\nsecond line  \r\n\r\n \t \nNext # not *markdown*\n\n\n");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->blocks.size(), 2u);
  EXPECT_EQ(parsed->blocks[0].text, "First line\nsecond line");
  EXPECT_EQ(parsed->blocks[0].kind, BlockKind::paragraph);
  EXPECT_EQ(parsed->blocks[0].page, 0);
  EXPECT_EQ(parsed->blocks[1].text, "Next # not *markdown*");
  EXPECT_TRUE(parsed->title.empty());
}

TEST(PlainTextParserTest, ReplacesIllFormedBytesAndStripsTheByteOrderMark) {
  const auto parsed = parse_plain_text(
      "\xEF\xBB\xBF"
      "caf\xE9 ok");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->blocks.size(), 1u);
  EXPECT_EQ(parsed->blocks[0].text, "caf\uFFFD ok");
}

TEST(PlainTextParserTest, RefusesBinaryData) {
  const auto with_nul = parse_plain_text(std::string("abc\0def", 7));
  ASSERT_FALSE(with_nul.ok());
  EXPECT_EQ(with_nul.error().code, Errc::unprocessable);
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>(0x80 + i % 64));
  EXPECT_FALSE(parse_plain_text(garbage).ok());
}

TEST(PlainTextParserTest, KeepsAHugeSingleLineAsOneParagraph) {
  const std::string line(5'000'000, 'x');
  const auto parsed = parse_plain_text(line);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->blocks.size(), 1u);
  EXPECT_EQ(parsed->blocks[0].text.size(), line.size());
}

TEST(PlainTextParserTest, EmptyInputHasNoBlocks) {
  ASSERT_TRUE(parse_plain_text("").ok());
  EXPECT_TRUE(parse_plain_text(" \n\n ")->blocks.empty());
}

}  // namespace
}  // namespace sluice::rag
