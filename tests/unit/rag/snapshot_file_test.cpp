#include "rag/snapshot_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice::rag {
namespace {

namespace fs = std::filesystem;

constexpr SnapshotMagic kMagic = {'T', 'E', 'S', 'T', 'S', 'N', 'A', 'P'};

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-snapshot-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "snap").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_sample(int64_t change_seq = 42) {
    SnapshotWriter out(path_, SnapshotHeader{kMagic, 3, change_seq, 7});
    std::vector<uint32_t> big(500000);
    for (uint32_t i = 0; i < big.size(); ++i) big[i] = i * 2654435761u;
    out.write_pod<uint64_t>(big.size());
    out.write_array(big);
    out.write("tail", 4);
    ASSERT_TRUE(out.commit().ok());
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(SnapshotFileTest, RoundTrip) {
  write_sample();
  auto reader = SnapshotReader::open(path_, kMagic, 3);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader->header().change_seq, 42);
  EXPECT_EQ(reader->header().chunk_count, 7u);
  uint64_t n = 0;
  std::vector<uint32_t> big;
  char tail[4];
  ASSERT_TRUE(reader->read_pod(n));
  ASSERT_TRUE(reader->read_array(big, n));
  EXPECT_EQ(big[12345], 12345u * 2654435761u);
  ASSERT_TRUE(reader->read(tail, 4));
  EXPECT_EQ(std::string(tail, 4), "tail");
  EXPECT_TRUE(reader->at_end());
  EXPECT_FALSE(reader->read(tail, 1));
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

TEST_F(SnapshotFileTest, MissingFileIsNotFound) {
  const auto reader = SnapshotReader::open(path_, kMagic, 3);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, Errc::not_found);
}

TEST_F(SnapshotFileTest, OtherMagicOrVersionIsRefused) {
  write_sample();
  EXPECT_FALSE(
      SnapshotReader::open(path_, SnapshotMagic{'O', 'T', 'H', 'E', 'R', 'S', 'N', 'P'}, 3).ok());
  const auto other_version = SnapshotReader::open(path_, kMagic, 4);
  ASSERT_FALSE(other_version.ok());
  EXPECT_NE(other_version.error().message.find("version"), std::string::npos);
}

TEST_F(SnapshotFileTest, EveryCorruptedByteIsDetected) {
  write_sample();
  const auto size = fs::file_size(path_);
  for (uint64_t offset :
       {uint64_t{9}, uint64_t{16}, uint64_t{24}, uint64_t{70}, size / 2, size - 1}) {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(offset));
    const char original = static_cast<char>(file.get());
    file.seekp(static_cast<std::streamoff>(offset));
    file.put(static_cast<char>(original ^ 0x10));
    file.close();
    EXPECT_FALSE(SnapshotReader::open(path_, kMagic, 3).ok()) << "offset " << offset;
    write_sample();
  }
}

TEST_F(SnapshotFileTest, TruncatedFileIsRefused) {
  write_sample();
  fs::resize_file(path_, fs::file_size(path_) - 1);
  EXPECT_FALSE(SnapshotReader::open(path_, kMagic, 3).ok());
  fs::resize_file(path_, 10);
  EXPECT_FALSE(SnapshotReader::open(path_, kMagic, 3).ok());
}

TEST_F(SnapshotFileTest, UncommittedWriterLeavesTheOldSnapshot) {
  write_sample(1);
  {
    SnapshotWriter out(path_, SnapshotHeader{kMagic, 3, 2, 0});
    out.write("partial", 7);
  }
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  auto reader = SnapshotReader::open(path_, kMagic, 3);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->header().change_seq, 1);
}

TEST(ChecksumTest, SplitsDoNotMatterButContentAndLengthDo) {
  std::string data(1000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Checksum64 whole;
  whole.update(data.data(), data.size());
  Checksum64 pieces;
  for (std::size_t at = 0; at < data.size(); at += 7)
    pieces.update(data.data() + at, std::min<std::size_t>(7, data.size() - at));
  EXPECT_EQ(whole.finish(), pieces.finish());
  Checksum64 longer = whole;
  longer.update("", 1);
  EXPECT_NE(longer.finish(), whole.finish());
  data[500] ^= 1;
  Checksum64 changed;
  changed.update(data.data(), data.size());
  EXPECT_NE(changed.finish(), whole.finish());
}

}  // namespace
}  // namespace sluice::rag
