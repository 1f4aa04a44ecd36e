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

TEST(HtmlParserTest, ImpliedEndsShapeTheBlocks) {
  const ParsedDocument document = parse(
      "<p>one<p>two<ul><li>a<li>b<ul><li>c</ul><li>d</ul>"
      "<table><tr><td>x<td>y<tr><td>z</table><dl><dt>term<dd>meaning</dl>");
  ASSERT_EQ(document.blocks.size(), 6u);
  EXPECT_EQ(document.blocks[0].text, "one");
  EXPECT_EQ(document.blocks[1].text, "two");
  EXPECT_EQ(document.blocks[2].text, "- a\n- b\n  - c\n- d");
  EXPECT_EQ(document.blocks[3].text, "| x | y |\n| z |");
  EXPECT_EQ(document.blocks[4].text, "term");
  EXPECT_EQ(document.blocks[5].text, "meaning");
}

TEST(HtmlParserTest, StrayAndMisnestedTagsKeepTheText) {
  const ParsedDocument document =
      parse("<div><b><i>bold</b> after</i></div></span><p>x</p></p>y<h1>A<h2>B</h1>tail");
  ASSERT_EQ(document.blocks.size(), 6u);
  EXPECT_EQ(document.blocks[0].text, "bold after");
  EXPECT_EQ(document.blocks[1].text, "x");
  EXPECT_EQ(document.blocks[2].text, "y");
  EXPECT_EQ(document.blocks[3].text, "A");
  EXPECT_EQ(document.blocks[4].level, 2);
  EXPECT_EQ(document.blocks[4].text, "B");
  EXPECT_EQ(document.blocks[5].text, "tail");
}

TEST(HtmlParserTest, TitleComesFirstAndIsNeverBodyText) {
  EXPECT_EQ(parse("<title>A &amp; B</title><p>x").title, "A & B");
  const ParsedDocument late = parse("<p>x</p><title>Late</title><h1>Heading</h1>");
  EXPECT_EQ(late.title, "Heading");
  EXPECT_EQ(all_text(late).find("Late"), std::string::npos);
}

TEST(HtmlParserTest, RawTextAndHiddenElementsStayOut) {
  const ParsedDocument document = parse(
      "<script>document.write('<p>no</p>')</script><div HIDDEN>no</div><p data-hidden=1>yes "
      "<textarea>typed &lt;here&gt;</textarea><!-- <p>no</p> -->");
  ASSERT_EQ(document.blocks.size(), 1u);
  EXPECT_EQ(document.blocks[0].text, "yes typed <here>");
}

TEST(HtmlParserTest, PreDropsItsFirstLineBreakAndTablesTheirMisplacedText) {
  const ParsedDocument document =
      parse("<pre>\n  a &amp;&amp; b\n</pre><table>lost<tr><td>cell</table>");
  ASSERT_EQ(document.blocks.size(), 3u);
  EXPECT_EQ(document.blocks[0].text, "  a && b");
  EXPECT_EQ(document.blocks[1].kind, BlockKind::paragraph);
  EXPECT_EQ(document.blocks[1].text, "lost");
  EXPECT_EQ(document.blocks[2].text, "| cell |");
}

TEST(HtmlParserTest, DeepNestingIsBoundedAndLeavesLaterTextAlone) {
  std::string html;
  for (int i = 0; i < 50'000; ++i) html += "<div><ul><li>";
  html += "deep";
  for (int i = 0; i < 50'000; ++i) html += "</li></ul></div>";
  html += "<p>after</p>";
  const ParsedDocument document = parse(html);
  ASSERT_EQ(document.blocks.size(), 2u);
  EXPECT_EQ(document.blocks[0].kind, BlockKind::list);
  EXPECT_NE(document.blocks[0].text.find("- deep"), std::string::npos);
  EXPECT_EQ(document.blocks[1].text, "after");
}

}  // namespace
}  // namespace sluice::rag
