#include "rag/parsers/pdf_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "minimal_pdf.hpp"

namespace sluice::rag {
namespace {

using testing::minimal_pdf;

TEST(PdfParserTest, ReadsTextPerPageWithPageNumbers) {
  const std::string pdf =
      minimal_pdf({{"First page, first para-", "graph continues.", "", "Second paragraph."},
                   {"Page two text."}},
                  "Annual Report");
  const auto parsed = parse_pdf(pdf);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->title, "Annual Report");
  ASSERT_EQ(parsed->blocks.size(), 3u);
  EXPECT_EQ(parsed->blocks[0].text, "First page, first paragraph continues.");
  EXPECT_EQ(parsed->blocks[0].page, 1);
  EXPECT_EQ(parsed->blocks[1].text, "Second paragraph.");
  EXPECT_EQ(parsed->blocks[1].page, 1);
  EXPECT_EQ(parsed->blocks[2].text, "Page two text.");
  EXPECT_EQ(parsed->blocks[2].page, 2);
  EXPECT_EQ(parsed->blocks[2].kind, BlockKind::paragraph);
}

TEST(PdfParserTest, PageWithoutTextGivesNoBlocks) {
  const auto parsed = parse_pdf(minimal_pdf({{}, {"Only on page two."}}));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->blocks.size(), 1u);
  EXPECT_EQ(parsed->blocks[0].page, 2);
  EXPECT_TRUE(parsed->title.empty());
}

TEST(PdfParserTest, RefusesWhatIsNotAPdf) {
  const auto parsed = parse_pdf("just some text");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, Errc::unprocessable);
  EXPECT_NE(parsed.error().message.find("not a PDF"), std::string::npos);
}

TEST(PdfParserTest, TruncatedOrGarbledPdfGivesAnErrorOrWhatSurvives) {
  const std::string pdf = minimal_pdf({{"Hello world."}, {"Second."}});
  for (std::size_t size : {std::size_t{9}, std::size_t{40}, pdf.size() / 2, pdf.size() - 30}) {
    const auto parsed = parse_pdf(std::string_view(pdf).substr(0, size));
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, Errc::unprocessable);
    }
  }
  std::string garbled = "%PDF-1.7\n";
  for (int i = 0; i < 5000; ++i) garbled.push_back(static_cast<char>((i * 7919) % 251));
  const auto parsed = parse_pdf(garbled);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, Errc::unprocessable);
}

TEST(PdfParserTest, EncryptedPdfNeedsAPassword) {
  // An /Encrypt dictionary with a user password that the empty password does not match.
  std::string pdf = minimal_pdf({{"secret"}});
  const std::string encrypt =
      " /Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -4"
      " /O <0000000000000000000000000000000000000000000000000000000000000000>"
      " /U <0000000000000000000000000000000000000000000000000000000000000000> >>"
      " /ID [<00000000000000000000000000000000> <00000000000000000000000000000000>]";
  pdf.insert(pdf.find("/Root 1 0 R") + 11, encrypt);
  const auto parsed = parse_pdf(pdf);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, Errc::unprocessable);
  EXPECT_NE(parsed.error().message.find("encrypted"), std::string::npos);
}

}  // namespace
}  // namespace sluice::rag
