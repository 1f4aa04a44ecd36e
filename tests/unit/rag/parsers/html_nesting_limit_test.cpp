#include "rag/parsers/html_nesting_limit.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::rag {
namespace {

std::string limited(std::string html, std::size_t max_depth) {
  limit_html_nesting(html, max_depth);
  return html;
}

TEST(HtmlNestingLimitTest, LeavesShallowDocumentsAlone) {
  std::string html = "<html><body><div><p>a<p>b<ul><li>x<li>y</ul><br><img src=x></div>";
  EXPECT_FALSE(limit_html_nesting(html, 2));
}

TEST(HtmlNestingLimitTest, RemovesStartTagsBeyondTheLimitAndTheirEndTags) {
  EXPECT_EQ(limited("<div><div><div><b>deep</b></div></div></div><div>next</div>", 2),
            "<div><div>deep</div></div><div>next</div>");
}

TEST(HtmlNestingLimitTest, IgnoresTagsInCommentsScriptsAndSelfClosedOnes) {
  std::string html =
      "<div><!-- <div><div><div> --><script>if (a<b) '<div><div><div>'</script>"
      "<span/><span/><span/>text</div>";
  EXPECT_FALSE(limit_html_nesting(html, 1));
}

TEST(HtmlNestingLimitTest, StopsAtAnUnfinishedTag) {
  std::string html = "<div><div><div x='";
  EXPECT_TRUE(limit_html_nesting(html, 1));
  EXPECT_EQ(html, "<div><div x='");
}

}  // namespace
}  // namespace sluice::rag
