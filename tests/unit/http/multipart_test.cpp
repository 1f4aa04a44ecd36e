#include "http/multipart.hpp"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

std::string message_of(const Result<std::vector<MultipartPart>>& result) {
  return result ? std::string() : result.error().message;
}

TEST(MultipartBoundary, ReadsQuotedAndTokenBoundaries) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data;boundary=\"a b:c\"; charset=utf-8"), "a b:c");
  EXPECT_EQ(*multipart_boundary("multipart/form-data; charset=x; BOUNDARY=form"), "form");
}

TEST(MultipartBoundary, RefusesWhatIsNotAFormWithABoundary) {
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"unterminated"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'b')));
  EXPECT_NE(multipart_boundary("text/plain").error().message.find("not multipart/form-data"),
            std::string::npos);
}

TEST(Multipart, SplitsFieldsAndFilesIgnoringPreambleAndEpilogue) {
  const std::string body =
      "preamble to ignore\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"title\"\r\n"
      "\r\n"
      "My title\r\n"
      "--XyZ  \r\n"
      "content-disposition: form-data; name=\"file\"; filename=\"notes \\\"v2\\\".md\"\r\n"
      "Content-Type: text/markdown\r\n"
      "X-Ignored: yes\r\n"
      "\r\n"
      "# Heading\r\n\r\nline with --XyZ inside\r\n"
      "--XyZ--\r\n"
      "epilogue";
  auto parts = parse_multipart(body, "XyZ");
  ASSERT_TRUE(parts) << message_of(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "title");
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_EQ((*parts)[0].body, "My title");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "notes \"v2\".md");
  EXPECT_EQ((*parts)[1].content_type, "text/markdown");
  EXPECT_EQ((*parts)[1].body, "# Heading\r\n\r\nline with --XyZ inside");
}

TEST(Multipart, KeepsBinaryBodiesAndEmptyParts) {
  const std::string binary("%PDF-\0\r\n\xff", 9);
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + binary +
                           "\r\n--b\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n"
                           "\r\n--b--";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts) << message_of(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, binary);
  EXPECT_EQ((*parts)[1].body, "");
}

TEST(Multipart, SaysWhatIsWrongWithAMalformedBody) {
  const std::string disposition = "Content-Disposition: form-data; name=\"a\"\r\n";
  const std::pair<std::string, std::string> cases[] = {
      {"no delimiter at all", "never occurs"},
      {"--b\r\n" + disposition + "\r\nvalue", "without the closing boundary"},
      {"--b\r\n" + disposition + "\r\nvalue\r\n--b\r\n", "without the closing boundary"},
      {"--bjunk\r\n" + disposition + "\r\nv\r\n--b--", "does not end with CRLF"},
      {"--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--", "does not end with CRLF"},
      {"--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", "no Content-Disposition"},
      {"--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--", "not form-data"},
      {"--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", "has no name"},
      {"--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--", "malformed"},
      {"--b\r\nno colon here\r\n\r\nv\r\n--b--", "without a name and a colon"},
      {"--b\r\n" + disposition + "v\r\n--b--", "blank line"},
      {"--b--", "no parts"},
  };
  for (const auto& [body, expected] : cases) {
    auto parts = parse_multipart(body, "b");
    ASSERT_FALSE(parts) << body;
    EXPECT_EQ(parts.error().code, Errc::invalid_request);
    EXPECT_NE(parts.error().message.find(expected), std::string::npos)
        << body << " -> " << parts.error().message;
  }
}

TEST(Multipart, BoundsPartsAndHeaderBytes) {
  std::string body;
  for (int i = 0; i < 3; ++i)
    body +=
        "--b\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nv\r\n";
  body += "--b--";
  EXPECT_TRUE(parse_multipart(body, "b", {.max_parts = 3}));
  auto too_many = parse_multipart(body, "b", {.max_parts = 2});
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 2 parts"), std::string::npos);

  const std::string long_header =
      "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " + std::string(200, 'p') +
      "\r\n\r\nv\r\n--b--";
  EXPECT_TRUE(parse_multipart(long_header, "b", {.max_header_bytes = 300}));
  auto too_long = parse_multipart(long_header, "b", {.max_header_bytes = 100});
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("exceed 100 bytes"), std::string::npos);
}

}  // namespace
}  // namespace sluice::http
