#include "store/sqlite/rows.hpp"

#include <gtest/gtest.h>

namespace sluice::store::sqlite {
namespace {

TEST(RowsTest, EmbeddingsRoundTripAsFloat32) {
  const std::vector<float> embedding{1.0f, -0.5f, 3.25e-8f, 0.0f};
  const std::string blob(embedding_bytes(embedding));
  EXPECT_EQ(blob.size(), 16u);
  EXPECT_EQ(decode_embedding(blob), embedding);
  EXPECT_TRUE(decode_embedding("").empty());
  // 1.0f little-endian.
  EXPECT_EQ(blob.substr(0, 4), std::string("\x00\x00\x80\x3f", 4));
}

TEST(RowsTest, TagsRoundTripThroughJson) {
  const std::vector<std::string> tags{"plain", "with \"quotes\"", "ünïcode", ""};
  EXPECT_EQ(decode_strings(encode_strings(tags)), tags);
  EXPECT_EQ(encode_strings({}), "[]");
}

TEST(RowsTest, CursorsAreDecimalSeqs) {
  EXPECT_EQ(*parse_cursor(""), 0);
  EXPECT_EQ(*parse_cursor("42"), 42);
  for (const char* bad : {"-1", "4x", " 4", "abc", "99999999999999999999"})
    EXPECT_FALSE(parse_cursor(bad).ok()) << bad;
}

TEST(RowsTest, IdsAndHashes) {
  const std::string id = new_id("doc_", 1'780'000'000'000);
  EXPECT_EQ(id.size(), 40u);
  EXPECT_TRUE(id.starts_with("doc_019e70448800")) << id;  // the milliseconds, in hex
  EXPECT_NE(new_id("doc_", 1'780'000'000'000), id);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Ids sort by creation time, so that the indexes keyed on them grow at one end.
TEST(RowsTest, LaterIdsSortAfterEarlierOnes) {
  std::string previous = new_id("job_", 0);
  for (int64_t ms : std::initializer_list<int64_t>{1, 15, 16, 4096, 1'780'000'000'000,
                                                   1'780'000'000'001, (int64_t{1} << 48) - 1}) {
    const std::string id = new_id("job_", ms);
    EXPECT_LT(previous, id) << ms;
    previous = id;
  }
}

}  // namespace
}  // namespace sluice::store::sqlite
