#include "rag/parsers/html_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::rag {
namespace {

ParsedDocument parse(std::string_view html) {
  auto parsed = parse_html(html);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(parsed).value() : ParsedDocument{};
}

std::string all_text(const ParsedDocument& document) {
  std::string text;
  for (const Block& block : document.blocks) text += block.text + "\n";
  return text;
}

TEST(HtmlParserTest, DropsScriptsStylesAndNavigation) {
  const ParsedDocument document = parse(R"(<!doctype html>
<html><head><title> The  Title </title><style>p{color:red}</style>
<script>var secret = 1;</script></head>
<body><header>Site banner</header><nav><a href="/">Home</a></nav>
<aside>Related links</aside><noscript>Enable JS</noscript><template><p>tpl</p></template>
<svg><text>vector</text></svg><p hidden>invisible</p>
<main><article><header><h1>Article title</h1></header><p>Body text.</p></article></main>
<footer>Copyright</footer><script>track()</script></body></html>)");
  EXPECT_EQ(document.title, "The Title");
  const std::string text = all_text(document);
  for (const char* dropped : {"secret", "color", "banner", "Home", "Related", "Enable", "tpl",
                              "vector", "invisible", "Copyright", "track"})
    EXPECT_EQ(text.find(dropped), std::string::npos) << dropped;
  ASSERT_EQ(document.blocks.size(), 2u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::heading);
  EXPECT_EQ(document.blocks[0].text, "Article title");
  EXPECT_EQ(document.blocks[1].text, "Body text.");
}

TEST(HtmlParserTest, HeadingsParagraphsEntitiesAndWhitespace) {
  const ParsedDocument document = parse(
      "<h1>Caf&eacute; &amp; Bar</h1><h3>Sub\n  heading</h3>"
      "<div>Loose   text <b>bold</b>\n more<br>next line<p>Para &lt;one&gt;&nbsp;!</p>tail</div>");
  EXPECT_EQ(document.title, "Café & Bar");  // no <title>: the first h1
  ASSERT_EQ(document.blocks.size(), 5u);
  EXPECT_EQ(document.blocks[1].level, 3);
  EXPECT_EQ(document.blocks[1].text, "Sub heading");
  EXPECT_EQ(document.blocks[2].text, "Loose text bold more\nnext line");
  EXPECT_EQ(document.blocks[3].text, "Para <one> !");
  EXPECT_EQ(document.blocks[4].text, "tail");
}

TEST(HtmlParserTest, ListsTablesAndPreformattedCode) {
  const ParsedDocument document = parse(
      "<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul>"
      "<table><tr><th>Name</th><th>Value</th></tr><tr><td>x</td><td><i>1</i></td></tr></table>"
      "<pre><code>if (a &lt; b)\n    swap();</code></pre>");
  ASSERT_EQ(document.blocks.size(), 3u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::list);
  EXPECT_EQ(document.blocks[0].text, "- one\n- two\n  1. a\n  2. b");
  EXPECT_EQ(document.blocks[1].kind, BlockKind::table);
  EXPECT_EQ(document.blocks[1].text, "| Name | Value |\n| x | 1 |");
  EXPECT_EQ(document.blocks[2].kind, BlockKind::code);
  EXPECT_EQ(document.blocks[2].text, "if (a < b)\n    swap();");
}

TEST(HtmlParserTest, DeeplyNestedMarkupDoesNotRecurse) {
  std::string html;
  for (int i = 0; i < 100'000; ++i) html += "<div><span>";
  html += "deep text";
  const ParsedDocument document = parse(html);
  ASSERT_EQ(document.blocks.size(), 1u);
  EXPECT_EQ(document.blocks[0].text, "deep text");
}

TEST(HtmlParserTest, MalformedMarkupIsRepaired) {
  const ParsedDocument document = parse("<p>one<p>two</b></i><table><td>cell<li>x");
  EXPECT_NE(all_text(document).find("one"), std::string::npos);
  EXPECT_NE(all_text(document).find("cell"), std::string::npos);
}

}  // namespace
}  // namespace sluice::rag
