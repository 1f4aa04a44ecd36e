#include "rag/parsers/text_cleanup.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rag/utf8.hpp"

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

// The definition the one-pass decoder must match: UTF-8 repaired first, then line ends and
// controls rewritten byte by byte.
std::string decode_reference(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  const std::string text = to_valid_utf8(bytes);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\f') {
      out.append("\n\n");
    } else if ((c >= 0 && c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Random mixes of the bytes that matter (controls, CR/LF, multi-byte and ill-formed UTF-8, long
// ASCII runs) decode exactly as the reference does, and collapse to the same words.
TEST(TextCleanupTest, OnePassDecodingMatchesTheReference) {
  const std::string pieces[] = {"plain ascii words ",
                                "\r\n",
                                "\r",
                                "\n",
                                "\f",
                                "\t",
                                "\x07",
                                "\x7F",
                                "\xC3\xA9",
                                "\xE2\x80\x83",
                                "\xF0\x9F\x98\x80",
                                "\xFF",
                                "\xC3",
                                "\xE2\x80",
                                "  ",
                                "x",
                                "\xC2\xA0"};
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string input = round % 3 == 0 ? "\xEF\xBB\xBF" : "";
    const int count = static_cast<int>(random() % 24);
    for (int i = 0; i < count; ++i) input += pieces[random() % std::size(pieces)];
    const auto decoded = decode_text_input(input, "text");
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ASSERT_EQ(*decoded, decode_reference(input)) << testing::PrintToString(input);
    const std::string collapsed = collapse_whitespace(*decoded, true);
    EXPECT_EQ(collapsed.find("  "), std::string::npos);
    EXPECT_EQ(collapse_whitespace(collapsed, true), collapsed);  // idempotent
  }
}

TEST(TextCleanupTest, NulAnywhereIsBinary) {
  for (std::size_t at : {0u, 5u, 17u}) {
    std::string input(20, 'a');
    input[at] = '\0';
    const auto refused = decode_text_input(input, "HTML");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("NUL"), std::string::npos);
  }
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
