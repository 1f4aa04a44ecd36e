#include "rag/parsers/markdown_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::rag {
namespace {

ParsedDocument parse(std::string_view markdown) {
  auto parsed = parse_markdown(markdown);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(parsed).value() : ParsedDocument{};
}

TEST(MarkdownParserTest, HeadingsAndParagraphsWithInlineMarkupReducedToText) {
  const ParsedDocument document = parse(
      "# Sluice *Guide*\n\nA **fast** gateway,\nsee [the docs](https://x.y) and `code`.\n\n"
      "Setext heading\n--------------\n\n![diagram](a.png) text  \nafter\n");
  EXPECT_EQ(document.title, "Sluice Guide");
  ASSERT_EQ(document.blocks.size(), 4u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::heading);
  EXPECT_EQ(document.blocks[0].level, 1);
  EXPECT_EQ(document.blocks[0].text, "Sluice Guide");
  EXPECT_EQ(document.blocks[1].kind, BlockKind::paragraph);
  EXPECT_EQ(document.blocks[1].text, "A fast gateway, see the docs and code.");
  EXPECT_EQ(document.blocks[2].level, 2);
  EXPECT_EQ(document.blocks[2].text, "Setext heading");
  EXPECT_EQ(document.blocks[3].text, "diagram text\nafter");
}

TEST(MarkdownParserTest, ListsStayWholeWithNesting) {
  const ParsedDocument document =
      parse("- one\n- two\n  - two a\n  - two b\n- three\n\n3. third\n4. fourth\n");
  ASSERT_EQ(document.blocks.size(), 2u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::list);
  EXPECT_EQ(document.blocks[0].text, "- one\n- two\n  - two a\n  - two b\n- three");
  EXPECT_EQ(document.blocks[1].text, "3. third\n4. fourth");
}

TEST(MarkdownParserTest, TablesBecomePipeRows) {
  const ParsedDocument document =
      parse("| Name | Value |\n|------|------:|\n| a | **1** |\n| b | 2 |\n\nAfter.\n");
  ASSERT_EQ(document.blocks.size(), 2u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::table);
  EXPECT_EQ(document.blocks[0].text, "| Name | Value |\n| a | 1 |\n| b | 2 |");
}

TEST(MarkdownParserTest, CodeIsVerbatim) {
  const ParsedDocument document =
      parse("```cpp\nint main() {\n    return  0;  // *not* emphasis\n}\n```\n\n    indented\n");
  ASSERT_EQ(document.blocks.size(), 2u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::code);
  EXPECT_EQ(document.blocks[0].text, "int main() {\n    return  0;  // *not* emphasis\n}");
  EXPECT_EQ(document.blocks[1].text, "indented");
}

TEST(MarkdownParserTest, BlockQuotesKeepTheirBlocksAndRawHtmlIsDropped) {
  const ParsedDocument document =
      parse("> ## Quoted\n> text\n\n<div class=\"badge\">x</div>\n\n---\n\nend\n");
  ASSERT_EQ(document.blocks.size(), 3u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::heading);
  EXPECT_EQ(document.blocks[1].text, "text");
  EXPECT_EQ(document.blocks[2].text, "end");
}

TEST(MarkdownParserTest, DeepNestingIsFlattenedNotRecursed) {
  const ParsedDocument quotes = parse(std::string(100'000, '>') + " deep\n");
  ASSERT_EQ(quotes.blocks.size(), 1u);
  EXPECT_EQ(quotes.blocks[0].text, "deep");
  std::string lists;
  for (int depth = 0; depth < 2'000; ++depth) lists += std::string(2 * depth, ' ') + "- item\n";
  const ParsedDocument nested = parse(lists);
  ASSERT_EQ(nested.blocks.size(), 1u);
  EXPECT_EQ(nested.blocks[0].kind, BlockKind::list);
}

TEST(MarkdownParserTest, RefusesBinaryData) {
  const auto parsed = parse_markdown(std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, Errc::unprocessable);
}

}  // namespace
}  // namespace sluice::rag
