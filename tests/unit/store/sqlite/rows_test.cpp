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
  EXPECT_EQ(decode_tags(encode_tags(tags)), tags);
  EXPECT_EQ(encode_tags({}), "[]");
}

TEST(RowsTest, CursorsAreDecimalSeqs) {
  EXPECT_EQ(*parse_cursor(""), 0);
  EXPECT_EQ(*parse_cursor("42"), 42);
  for (const char* bad : {"-1", "4x", " 4", "abc", "99999999999999999999"})
    EXPECT_FALSE(parse_cursor(bad).ok()) << bad;
}

TEST(RowsTest, IdsAndHashes) {
  const std::string id = new_id("doc_");
  EXPECT_EQ(id.size(), 28u);
  EXPECT_TRUE(id.starts_with("doc_"));
  EXPECT_NE(new_id("doc_"), id);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace sluice::store::sqlite
