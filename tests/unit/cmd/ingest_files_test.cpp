#include "cmd/ingest_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace sluice::cmd {
namespace {

namespace fs = std::filesystem;

class IngestFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sluice-ingest-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& relative) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "content";
  }
  fs::path dir_;
};

TEST_F(IngestFilesTest, WalksFoldersForKnownTypesInPathOrder) {
  write("b.md");
  write("a/z.txt");
  write("a/y.PDF");
  write("a/skip.bin");
  write(".hidden/x.md");
  write("a/.secret.md");
  auto files = collect_files({dir_.string()});
  ASSERT_TRUE(files.ok());
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(fs::path(f.path).lexically_relative(dir_).string());
  EXPECT_EQ(names, (std::vector<std::string>{"a/y.PDF", "a/z.txt", "b.md"}));
  EXPECT_EQ((*files)[0].media_type, "application/pdf");
  EXPECT_EQ((*files)[2].id, (dir_ / "b.md").lexically_normal().generic_string());
}

TEST_F(IngestFilesTest, NamedFilesAreTakenWhateverTheirType) {
  write("data.bin");
  auto files = collect_files({(dir_ / "data.bin").string()});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].media_type, "application/octet-stream");
}

TEST_F(IngestFilesTest, AMissingPathIsAnError) {
  auto files = collect_files({(dir_ / "nope").string()});
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.error().message.find("nope"), std::string::npos);
}

TEST(MultipartTest, CarriesTheIdAndTheFileWithItsNameAndType) {
  const FileToUpload file{"docs/a \"q\".md", "docs/a \"q\".md", "text/markdown"};
  const MultipartBody body = multipart_upload(file, "# Title\n");
  const std::string boundary = body.content_type.substr(body.content_type.find('=') + 1);
  EXPECT_TRUE(body.content_type.starts_with("multipart/form-data; boundary="));
  EXPECT_NE(body.body.find("name=\"id\"\r\n\r\ndocs/a \"q\".md\r\n"), std::string::npos);
  EXPECT_NE(body.body.find("name=\"file\"; filename=\"a \\\"q\\\".md\"\r\nContent-Type: "
                           "text/markdown\r\n\r\n# Title\n\r\n"),
            std::string::npos);
  EXPECT_TRUE(body.body.ends_with("--" + boundary + "--\r\n"));
}

TEST(PercentEncodeTest, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("my docs/é~._-"), "my%20docs%2F%C3%A9~._-");
}

}  // namespace
}  // namespace sluice::cmd
