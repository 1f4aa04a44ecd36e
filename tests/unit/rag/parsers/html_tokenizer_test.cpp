#include "rag/parsers/html_tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::rag {
namespace {

// The tokens of `html` as one string: tags as written back (attributes as name="value"), runs
// of text merged, tokens separated by '|'.
std::string tokens(std::string_view html) {
  HtmlTokenizer tokenizer(html);
  std::string out;
  bool in_text = false;
  while (true) {
    const HtmlToken& token = tokenizer.next();
    if (token.kind == HtmlToken::Kind::end_of_input) return out;
    if (token.kind == HtmlToken::Kind::text && in_text) {
      out.append(token.text);
      continue;
    }
    if (!out.empty()) out.push_back('|');
    in_text = token.kind == HtmlToken::Kind::text;
    if (in_text) {
      out.append(token.text);
    } else if (token.kind == HtmlToken::Kind::end_tag) {
      out.append("</").append(token.text).append(">");
    } else {
      out.append("<").append(token.text);
      for (const HtmlAttribute& attribute : token.attributes())
        out.append(" ").append(attribute.name).append("=\"").append(attribute.value).append("\"");
      out.append(token.self_closing ? "/>" : ">");
    }
  }
}

std::string decoded(std::string_view raw, bool in_attribute = false) {
  std::string out;
  append_decoding_references(out, raw, in_attribute);
  return out;
}

TEST(HtmlTokenizerTest, TagsAreLowercasedWithTheirAttributes) {
  EXPECT_EQ(tokens("<DIV Class=\"a b\" id=x data-X='c \"d\"' hidden>text</DiV>"),
            "<div class=\"a b\" id=\"x\" data-x=\"c \"d\"\" hidden=\"\">|text|</div>");
  EXPECT_EQ(tokens("<a title=\"x>y\" =odd b = 'c'>t"), "<a title=\"x>y\" =odd=\"\" b=\"c\">|t");
  EXPECT_EQ(tokens("<p a=1 A=2 b a=3>"), "<p a=\"1\" b=\"\">");  // duplicates: the first wins
  EXPECT_EQ(tokens("<br/><img src=x /><a/b></p class=x>"),
            "<br/>|<img src=\"x\"/>|<a b=\"\">|</p>");
}

TEST(HtmlTokenizerTest, AttributeLookupIsExactAndLazy) {
  HtmlTokenizer tokenizer("<div data-hidden=1 HIDDEN title=\"&lt;\">");
  const HtmlToken& token = tokenizer.next();
  ASSERT_NE(token.attribute("hidden"), nullptr);
  EXPECT_EQ(token.attribute("hidden")->value, "");
  EXPECT_EQ(token.attribute("title")->value, "<");
  EXPECT_EQ(token.attribute("data"), nullptr);
  HtmlTokenizer plain("<div data-hidden=1>");
  EXPECT_EQ(plain.next().attribute("hidden"), nullptr);
}

TEST(HtmlTokenizerTest, NumericCharacterReferences) {
  EXPECT_EQ(decoded("&#65;&#x42;&#X43;&#68&#x45x"), "ABCDEx");
  // NUL, surrogates and values past Unicode become U+FFFD; 0x80-0x9F are windows-1252.
  EXPECT_EQ(decoded("&#0;&#xD800;&#x110000;&#99999999999999;"), "\uFFFD\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(decoded("&#128;&#x9F;&#x81;"), "\u20AC\u0178\u0081");
  EXPECT_EQ(decoded("&#;&#x;&#xg; &"), "&#;&#x;&#xg; &");
}

TEST(HtmlTokenizerTest, NamedCharacterReferences) {
  EXPECT_EQ(decoded("&amp;&lt;&CounterClockwiseContourIntegral;&NotEqualTilde;&fjlig;"),
            "&<\u2233\u2242\u0338fj");
  EXPECT_EQ(decoded("&unknown; &amp &; &"), "&unknown; & &; &");
  // Legacy names need no ';' in text, the longest one that fits wins.
  EXPECT_EQ(decoded("&notit; &notin; &copy2 &ltx"), "\u00ACit; \u2209 \u00A92 <x");
}

TEST(HtmlTokenizerTest, AttributeValuesKeepLegacyNamesBeforeAnEqualsSignOrAlphanumeric) {
  EXPECT_EQ(decoded("?a=1&amp;b=2&lt=3&copyx&copy-&notin&not", true),
            "?a=1&b=2&lt=3&copyx\u00A9-&notin\u00AC");
  EXPECT_EQ(tokens("<a href='?x=1&copy=2&amp;y' title=&quot;q&quot>"),
            "<a href=\"?x=1&copy=2&y\" title=\"\"q\"\">");
  EXPECT_EQ(tokens("a &amp;&lt=b"), "a &<=b");  // in text the rule does not apply
}

TEST(HtmlTokenizerTest, RawTextEndsAtItsOwnEndTagInAnyCase) {
  EXPECT_EQ(tokens("<script>if (a<b) x = '</div>' + '</scripty>';</SCRIPT >after"),
            "<script>|if (a<b) x = '</div>' + '</scripty>';|</script>|after");
  EXPECT_EQ(tokens("<style>&amp;<p></style/>x"), "<style>|&amp;<p>|</style>|x");
  EXPECT_EQ(tokens("<xmp><b></xmp>"), "<xmp>|<b>|</xmp>");
  EXPECT_EQ(tokens("<noscript><p>x</noscript>"), "<noscript>|<p>x|</noscript>");
  EXPECT_EQ(tokens("<script>never closed</script"), "<script>|never closed</script");
  EXPECT_EQ(tokens("<iframe></iframe>"), "<iframe>|</iframe>");
}

TEST(HtmlTokenizerTest, RcdataDecodesReferencesAndPlaintextTakesTheRest) {
  EXPECT_EQ(tokens("<title>a &amp; <b></title>"), "<title>|a & <b>|</title>");
  EXPECT_EQ(tokens("<TEXTAREA>x</textarea><p>"), "<textarea>|x|</textarea>|<p>");
  EXPECT_EQ(tokens("<plaintext></plaintext><p>&amp;"), "<plaintext>|</plaintext><p>&amp;");
}

TEST(HtmlTokenizerTest, CommentsAndBogusComments) {
  EXPECT_EQ(tokens("a<!-- x -->b<!-->c<!--->d<!-- y --!>e<!---->f<!-- -- - --->g"), "abcdefg");
  EXPECT_EQ(tokens("<!DOCTYPE html>a<!x>b<?php y ?>c</ z>d</>e<![CDATA[f]]>g"), "abcdeg");
  EXPECT_EQ(tokens("a<!-- <p>never closed"), "a");
  EXPECT_EQ(tokens("a<!-- x --><p>"), "a|<p>");
}

TEST(HtmlTokenizerTest, LessThanSignsThatStartNoMarkupAreText) {
  EXPECT_EQ(tokens("a < b <3 <"), "a < b <3 <");
  EXPECT_EQ(tokens("x</"), "x</");
}

TEST(HtmlTokenizerTest, UnterminatedTagsAtTheEndAreDropped) {
  EXPECT_EQ(tokens("a<div"), "a");
  EXPECT_EQ(tokens("a<div class=\"x>"), "a");
  EXPECT_EQ(tokens("a<div class=x"), "a");
  EXPECT_EQ(tokens("a</div"), "a");
}

TEST(HtmlTokenizerTest, TextKeepsItsLineBreaksAsGiven) {
  // Line ends are normalized before tokenizing (decode_text_input): text passes through.
  EXPECT_EQ(tokens("a\n\tb<p\nclass=x\n>"), "a\n\tb|<p class=\"x\">");
}

}  // namespace
}  // namespace sluice::rag
