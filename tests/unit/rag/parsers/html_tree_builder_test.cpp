#include "rag/parsers/html_tree_builder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::rag {
namespace {

// The events as markup: every element with its start and end tag (implied ones included),
// "{text}" for text out of place in a table, '!' after an element with the hidden attribute.
class Recorder final : public HtmlTreeHandler {
 public:
  void open(HtmlTag tag, const HtmlToken* start_tag) override {
    names_.push_back(start_tag != nullptr ? std::string(start_tag->text) : implied_name(tag));
    out += "<" + names_.back() + ">";
    if (start_tag != nullptr && start_tag->attribute("hidden") != nullptr) out += "!";
    ++opened;
    max_depth = std::max(max_depth, names_.size());
  }
  void close(HtmlTag) override {
    out += "</" + names_.back() + ">";
    names_.pop_back();
  }
  void text(std::string_view text) override { out.append(text); }
  void table_text(std::string_view text) override { out.append("{").append(text).append("}"); }

  std::string out;
  std::size_t opened = 0;
  std::size_t max_depth = 0;

 private:
  static std::string implied_name(HtmlTag tag) {
    switch (tag) {
      case HtmlTag::p:
        return "p";
      case HtmlTag::tr:
        return "tr";
      case HtmlTag::br:
        return "br";
      default:
        return "?";
    }
  }
  std::vector<std::string> names_;
};

std::string tree(std::string_view html, std::size_t max_depth = kMaxHtmlNesting) {
  Recorder recorder;
  build_html_tree(html, recorder, max_depth);
  return recorder.out;
}

TEST(HtmlTreeBuilderTest, ParagraphsCloseAtBlockStarts) {
  EXPECT_EQ(tree("<p>a<div>b</div><p>c<p>d<span>e<ul><li>f</ul>"),
            "<p>a</p><div>b</div><p>c</p><p>d<span>e</span></p><ul><li>f</li></ul>");
  EXPECT_EQ(tree("<p>a<table><tr><td>b</table>"), "<p>a</p><table><tr><td>b</td></tr></table>");
  EXPECT_EQ(tree("<p>a<button><div>b</div></button>"),  // a button bounds the search
            "<p>a<button><div>b</div></button></p>");
}

TEST(HtmlTreeBuilderTest, ListItemsAndDefinitionsCloseTheirSiblings) {
  EXPECT_EQ(tree("<ul><li>a<li>b<ol><li>c<li>d</ol>e</ul>"),
            "<ul><li>a</li><li>b<ol><li>c</li><li>d</li></ol>e</li></ul>");
  EXPECT_EQ(tree("<dl><dt>a<dd>b<div>c<dt>d</dl>"),
            "<dl><dt>a</dt><dd>b<div>c</div></dd><dt>d</dt></dl>");
  EXPECT_EQ(tree("<select><option>a<option>b<optgroup><option>c</select>"),
            "<select><option>a</option><option>b</option><optgroup><option>c</option>"
            "</optgroup></select>");
}

TEST(HtmlTreeBuilderTest, TableRowsAndCellsCloseEachOther) {
  EXPECT_EQ(tree("<table><tr><td>a<td>b<tr><th>c</table>"),
            "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>");
  EXPECT_EQ(tree("<table><tbody><td>a</tbody><thead><tr><td>b<tfoot><tr><td>c</table>"),
            "<table><tbody><tr><td>a</td></tr></tbody><thead><tr><td>b</td></tr></thead>"
            "<tfoot><tr><td>c</td></tr></tfoot></table>");
  EXPECT_EQ(tree("<table><tr><td><table><tr><td>in</table>out</table>"),
            "<table><tr><td><table><tr><td>in</td></tr></table>out</td></tr></table>");
  EXPECT_EQ(tree("<table><tr><td>a<caption>c<colgroup><col></table>"),
            "<table><tr><td>a</td></tr><caption>c</caption><colgroup><col></col></colgroup>"
            "</table>");
  EXPECT_EQ(tree("<td>a</td><tr>b</tr>"), "ab");  // table parts outside a table are ignored
  EXPECT_EQ(tree("<table>lost <tr> <td>x</td>more</tr></table>"),
            "<table>{lost }<tr> <td>x</td>{more}</tr></table>");
}

TEST(HtmlTreeBuilderTest, HeadingsCloseHeadings) {
  EXPECT_EQ(tree("<h1>a<h2>b</h3>c"), "<h1>a</h1><h2>b</h2>c");
}

TEST(HtmlTreeBuilderTest, StrayAndMisnestedEndTags) {
  EXPECT_EQ(tree("a</div></span>b</p>c"), "ab<p></p>c");
  EXPECT_EQ(tree("<b><i>x</b>y</i>"), "<b><i>x</i></b>y");
  EXPECT_EQ(tree("<div><span>x</div>y"), "<div><span>x</span></div>y");
  EXPECT_EQ(tree("<span><div>x</span>y</div>z"), "<span><div>xy</div>z</span>");
  EXPECT_EQ(tree("<my-el><Other>x</my-el>y"), "<my-el><other>x</other></my-el>y");
  EXPECT_EQ(tree("<table><tr><td><b>x</td></b>y</table>"),
            "<table><tr><td><b>x</b></td>{y}</tr></table>");
}

TEST(HtmlTreeBuilderTest, VoidElementsNeverStayOpen) {
  EXPECT_EQ(tree("<br><img src=x><hr>a</br><input>"),
            "<br></br><img></img><hr></hr>a<br></br><input></input>");
  EXPECT_EQ(tree("<div/>a"), "<div>a</div>");  // "/>" does not close an HTML element
  EXPECT_EQ(tree("<svg><path/><text>t</text></svg>x"), "<svg><path></path><text>t</text></svg>x");
}

TEST(HtmlTreeBuilderTest, DocumentTagsAreNotReportedAndTheEndClosesEverything) {
  EXPECT_EQ(tree("<html><head><title>t</title></head><body hidden><div><p>x"),
            "<title>t</title><div><p>x</p></div>");
  EXPECT_EQ(tree("<section hidden>x</section>"), "<section>!x</section>");
}

TEST(HtmlTreeBuilderTest, ALineBreakRightAfterPreIsNotText) {
  EXPECT_EQ(tree("<pre>\n\na</pre><pre>b\n</pre>"), "<pre>\na</pre><pre>b\n</pre>");
}

TEST(HtmlTreeBuilderTest, StartTagsBeyondTheDepthLimitAreDroppedWithTheirEndTags) {
  EXPECT_EQ(tree("<div><div><div><b>deep</b></div></div></div><div>next</div>", 2),
            "<div><div>deep</div></div><div>next</div>");
}

TEST(HtmlTreeBuilderTest, DeepNestingStaysBounded) {
  std::string html;
  for (int i = 0; i < 200'000; ++i) html += "<div><span>";
  html += "deep";
  for (int i = 0; i < 200'000; ++i) html += "</section>";  // not open: each ignored
  Recorder recorder;
  build_html_tree(html, recorder);
  EXPECT_EQ(recorder.max_depth, kMaxHtmlNesting);
  EXPECT_EQ(recorder.opened, kMaxHtmlNesting);
  EXPECT_NE(recorder.out.find("deep"), std::string::npos);
}

}  // namespace
}  // namespace sluice::rag
