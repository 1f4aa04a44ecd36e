#include "rag/parsers/document_parser.hpp"

#include <gtest/gtest.h>

#include "minimal_pdf.hpp"

namespace sluice::rag {
namespace {

TEST(DocumentParserTest, MediaTypeDecidesFirst) {
  EXPECT_EQ(detect_format("# x", "text/html; charset=utf-8", "a.md"), DocumentFormat::html);
  EXPECT_EQ(detect_format("<html>", "TEXT/MARKDOWN", "a.html"), DocumentFormat::markdown);
  EXPECT_EQ(detect_format("x", "application/pdf", ""), DocumentFormat::pdf);
}

TEST(DocumentParserTest, ThenTheExtensionThenTheBytes) {
  EXPECT_EQ(detect_format("<html>", "text/plain", "notes.MD"), DocumentFormat::markdown);
  EXPECT_EQ(detect_format("%PDF-1.4", "application/octet-stream", "a.txt"),
            DocumentFormat::plain_text);
  EXPECT_EQ(detect_format("x", "", "dir/page.htm"), DocumentFormat::html);
  EXPECT_EQ(detect_format("%PDF-1.4\n", "", "upload"), DocumentFormat::pdf);
  EXPECT_EQ(detect_format("About the %PDF-1.4 header", "", "upload"), DocumentFormat::plain_text);
  EXPECT_EQ(detect_format("\xEF\xBB\xBF  <!DOCTYPE html><p>x", "", ""), DocumentFormat::html);
  EXPECT_EQ(detect_format(" <HTML><body>", "", "file.bin"), DocumentFormat::html);
  EXPECT_EQ(detect_format("# Title", "", ""), DocumentFormat::plain_text);
}

TEST(DocumentParserTest, ParsesEachFormat) {
  const auto markdown = parse_document("# Title\n\nBody", "text/markdown", "a.md");
  ASSERT_TRUE(markdown.ok());
  EXPECT_EQ(markdown->title, "Title");
  EXPECT_EQ(markdown->blocks.size(), 2u);

  const auto html = parse_document("<html><body><p>Hello</p></body></html>", "", "");
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(html->blocks.at(0).text, "Hello");

  const auto pdf = parse_document(testing::minimal_pdf({{"On page one."}}), "", "report.pdf");
  ASSERT_TRUE(pdf.ok());
  EXPECT_EQ(pdf->blocks.at(0).page, 1);
  EXPECT_EQ(pdf->title, "report");  // no Title in the PDF: the file name

  const auto text = parse_document("# not a heading", "text/plain", "");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->blocks.at(0).kind, BlockKind::paragraph);
}

TEST(DocumentParserTest, TitleFallsBackToTheFileStem) {
  const auto parsed = parse_document("text", "", "/uploads/Release Notes.v2.txt");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->title, "Release Notes.v2");
  EXPECT_EQ(parse_document("text", "", ".profile")->title, ".profile");
}

TEST(DocumentParserTest, NoTextIsAnError) {
  const auto empty = parse_document("  \n", "", "a.txt");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::unprocessable);
  const auto scanned = parse_document(testing::minimal_pdf({{}}), "application/pdf", "");
  ASSERT_FALSE(scanned.ok());
  EXPECT_NE(scanned.error().message.find("OCR"), std::string::npos);
}

TEST(DocumentParserTest, BinaryGarbageIsRefused) {
  std::string garbage;
  for (int i = 0; i < 2048; ++i) garbage.push_back(static_cast<char>((i * 131) % 256));
  const auto parsed = parse_document(garbage, "", "blob");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, Errc::unprocessable);
}

TEST(DocumentParserTest, AHugeSingleLineIsOneBlockInEveryTextFormat) {
  const std::string line(1'000'000, 'w');
  for (const char* media_type : {"text/plain", "text/markdown", "text/html"}) {
    const auto parsed = parse_document(line, media_type, "");
    ASSERT_TRUE(parsed.ok()) << media_type;
    ASSERT_EQ(parsed->blocks.size(), 1u) << media_type;
    EXPECT_EQ(parsed->blocks[0].text.size(), line.size()) << media_type;
  }
}

}  // namespace
}  // namespace sluice::rag
