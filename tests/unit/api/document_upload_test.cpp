#include "api/document_upload.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sluice::api {
namespace {

Result<store::NewDocument> from_json(std::string_view text) {
  return upload_from_json(boost::json::parse(text).as_object());
}

std::string form(const std::string& parts) { return parts + "--b--\r\n"; }
std::string field(const std::string& name, const std::string& value,
                  const std::string& extra = {}) {
  return "--b\r\nContent-Disposition: form-data; name=\"" + name + "\"" + extra + "\r\n\r\n" +
         value + "\r\n";
}
constexpr std::string_view kFormType = "multipart/form-data; boundary=b";

TEST(DocumentUpload, ReadsEveryJsonField) {
  auto doc = from_json(
      R"({"text":"# T","title":"Guide","id":"g-1","format":"markdown",
          "metadata":{"team":"ops","n":2},"tags":["a","b"]})");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->bytes, "# T");
  EXPECT_EQ(doc->title, "Guide");
  EXPECT_TRUE(doc->title_given);
  EXPECT_FALSE(from_json(R"({"text":"x"})")->title_given);
  EXPECT_EQ(doc->external_id, "g-1");
  EXPECT_EQ(doc->media_type, "text/markdown");
  EXPECT_EQ(doc->metadata_json, R"({"team":"ops","n":2})");
  EXPECT_EQ(doc->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(from_json(R"({"text":"x"})")->media_type, "text/plain");
  EXPECT_EQ(from_json(R"({"text":"x","media_type":"text/html"})")->media_type, "text/html");
}

TEST(DocumentUpload, NamesTheJsonFieldThatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", "text"},
      {R"({"text":""})", "text"},
      {R"({"text":5})", "text"},
      {R"({"text":"x","format":"pdf"})", "format"},
      {R"({"text":"x","title":3})", "title"},
      {R"({"text":"x","metadata":[1]})", "metadata"},
      {R"({"text":"x","tags":"a"})", "tags"},
      {R"({"text":"x","tags":[1]})", "tags"},
      {R"({"text":"x","tags":[""]})", "tags"},
  };
  for (const auto& [body, param] : cases) {
    auto doc = from_json(body);
    ASSERT_FALSE(doc) << body;
    EXPECT_EQ(doc.error().code, Errc::invalid_request);
    EXPECT_EQ(doc.error().param, param) << body;
  }
  auto long_id = from_json(R"({"text":"x","id":")" + std::string(257, 'i') + R"("})");
  ASSERT_FALSE(long_id);
  EXPECT_EQ(long_id.error().param, "id");
}

TEST(DocumentUpload, ReadsAFormWithAFileAndItsFields) {
  const std::string body = form(field("file", "%PDF-1.4 bytes",
                                      "; filename=\"report.v2.pdf\"\r\nContent-Type: "
                                      "application/pdf") +
                                field("id", "r-2") + field("metadata", R"({"year":2026})") +
                                field("tags", "one") + field("tags", R"(["two","three"])"));
  auto doc = upload_from_multipart(kFormType, body);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->bytes, "%PDF-1.4 bytes");
  EXPECT_EQ(doc->source_name, "report.v2.pdf");
  EXPECT_EQ(doc->media_type, "application/pdf");
  EXPECT_EQ(doc->title, "report.v2");  // the file name without its extension ...
  EXPECT_FALSE(doc->title_given);      // ... until ingestion finds the content's own
  EXPECT_EQ(doc->external_id, "r-2");
  EXPECT_EQ(doc->metadata_json, R"({"year":2026})");
  EXPECT_EQ(doc->tags, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(DocumentUpload, RefusesAFormWithoutOneNonEmptyFile) {
  EXPECT_EQ(upload_from_multipart(kFormType, form(field("title", "t"))).error().param, "file");
  EXPECT_EQ(upload_from_multipart(kFormType, form(field("file", ""))).error().param, "file");
  EXPECT_EQ(
      upload_from_multipart(kFormType, form(field("file", "a") + field("file", "b"))).error().param,
      "file");
  EXPECT_EQ(upload_from_multipart(kFormType, form(field("file", "a") + field("metadata", "[1]")))
                .error()
                .param,
            "metadata");
  EXPECT_FALSE(upload_from_multipart("multipart/form-data", form(field("file", "a"))));
}

TEST(DocumentUpload, NamesAreValidUtf8WithoutControlCharactersAndNoPath) {
  const std::pair<std::string, const char*> refused[] = {
      {R"({"text":"x","id":"a\u0000b"})", "id"},
      {R"({"text":"x","id":"a\r\nb"})", "id"},
      {R"({"text":"x","title":"t\u0007"})", "title"},
      {R"({"text":"x","tags":["a\nb"]})", "tags"},
      {R"({"text":"x","source_name":")" + std::string(256, 's') + R"("})", "source_name"},
      {R"({"text":"x","media_type":")" + std::string(128, 'm') + R"("})", "media_type"},
  };
  for (const auto& [body, param] : refused) {
    auto doc = from_json(body);
    ASSERT_FALSE(doc) << body;
    EXPECT_EQ(doc.error().param, param) << body;
  }
  auto traversal = from_json(R"({"text":"x","source_name":"..\\..\\etc/passwd"})");
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->source_name, "passwd");

  auto form_traversal = upload_from_multipart(
      kFormType, form(field("file", "x", "; filename=\"../../etc/passwd.txt\"")));
  ASSERT_TRUE(form_traversal) << form_traversal.error().message;
  EXPECT_EQ(form_traversal->source_name, "passwd.txt");
  EXPECT_EQ(form_traversal->title, "passwd");
  auto invalid_utf8 =
      upload_from_multipart(kFormType, form(field("file", "x") + field("title", "\xff")));
  ASSERT_FALSE(invalid_utf8);
  EXPECT_EQ(invalid_utf8.error().param, "title");
}

TEST(DocumentUpload, RecognisesMultipartContentTypes) {
  EXPECT_TRUE(is_multipart("multipart/form-data; boundary=x"));
  EXPECT_TRUE(is_multipart(" Multipart/Form-Data ;boundary=x"));
  EXPECT_FALSE(is_multipart("application/json"));
  EXPECT_FALSE(is_multipart(""));
}

}  // namespace
}  // namespace sluice::api
