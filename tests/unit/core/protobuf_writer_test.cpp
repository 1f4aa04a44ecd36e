#include "core/protobuf_writer.hpp"

#include <gtest/gtest.h>

#include "support/protobuf_reader.hpp"

namespace sluice::core {
namespace {

using sluice::testing::field_numbered;
using sluice::testing::read_message;

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(ProtobufWriter, EncodesScalarsAsTheSpecificationShows) {
  std::string out;
  ProtobufWriter w(out);
  w.varint_field(1, 150);  // the specification's own example: 08 96 01
  EXPECT_EQ(hex(out), "089601");
  out.clear();
  w.bytes_field(2, "testing");
  EXPECT_EQ(hex(out), "120774657374696e67");
  out.clear();
  w.int64_field(3, -1);  // ten bytes, two's complement
  EXPECT_EQ(hex(out), "18ffffffffffffffffff01");
  out.clear();
  w.fixed32_field(16, 1);  // a two-byte tag
  EXPECT_EQ(hex(out), "850101000000");
  out.clear();
  w.fixed64_field(7, 0x0102030405060708ULL);
  EXPECT_EQ(hex(out), "390807060504030201");
  out.clear();
  w.double_field(4, 1.5);
  EXPECT_EQ(hex(out), "21000000000000f83f");
  out.clear();
  w.bool_field(2, true);
  EXPECT_EQ(hex(out), "1001");
}

TEST(ProtobufWriter, NestedMessagesGetTheirLengthEvenPastOneByte) {
  std::string out;
  ProtobufWriter w(out);
  w.begin_message(1);
  w.varint_field(1, 7);
  w.begin_message(2);
  const std::string long_text(300, 'x');  // the inner length needs two bytes
  w.bytes_field(1, long_text);
  w.end_message();
  w.bytes_field(3, "after");
  w.end_message();
  w.varint_field(2, 9);

  const auto top = read_message(out);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(field_numbered(top, 2).number_value, 9u);
  const auto outer = read_message(field_numbered(top, 1).bytes);
  ASSERT_EQ(outer.size(), 3u);
  EXPECT_EQ(field_numbered(outer, 1).number_value, 7u);
  EXPECT_EQ(field_numbered(outer, 3).bytes, "after");
  const auto inner = read_message(field_numbered(outer, 2).bytes);
  EXPECT_EQ(field_numbered(inner, 1).bytes, long_text);
}

TEST(ProtobufWriter, EmptyNestedMessage) {
  std::string out;
  ProtobufWriter w(out);
  w.begin_message(5);
  w.end_message();
  EXPECT_EQ(hex(out), "2a00");
}

}  // namespace
}  // namespace sluice::core
