#include "rag/parsers/text_cleanup.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(TextCleanupTest, CollapsesAllKindsOfWhitespace) {
  EXPECT_EQ(collapse_whitespace("  a \t b\xC2\xA0\xE2\x80\x83"
                                "c\x01 \n d  "),
            "a b c d");
  EXPECT_EQ(collapse_whitespace(" a \n\n \n b  c \n", true), "a\nb c");
  EXPECT_EQ(collapse_whitespace(" \n "), "");
}

TEST(TextCleanupTest, DecodesTextInput) {
  const auto text = decode_text_input(
      "\xEF\xBB\xBF"
      "a\r\nb\rc\fd\x07"
      "e",
      "text");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a\nb\nc\n\nd e");
}

TEST(TextCleanupTest, AFewIllFormedBytesAreReplacedManyAreRefused) {
  std::string latin1 =
      "Gr\xFC\xDF"
      "e aus K\xF6ln";
  EXPECT_TRUE(decode_text_input(latin1, "text").ok());
  std::string binary(1000, '\xFF');
  const auto refused = decode_text_input(binary, "Markdown");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("Markdown"), std::string::npos);
}

TEST(TextCleanupTest, AddBlockSkipsBlankText) {
  ParsedDocument document;
  add_block(document, BlockKind::paragraph, " \n ");
  add_block(document, BlockKind::heading, "Title", 2, 7);
  ASSERT_EQ(document.blocks.size(), 1u);
  EXPECT_EQ(document.blocks[0].level, 2);
  EXPECT_EQ(document.blocks[0].page, 7);
}

}  // namespace
}  // namespace sluice::rag
