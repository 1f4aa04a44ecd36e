#include "rag/ascii_run.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::rag {
namespace {

// Every byte value at every offset of strings long enough to take both the eight-byte loop and
// the tail: the run ends exactly at the first byte outside the range.
TEST(AsciiRunTest, EndsAtTheFirstByteOutsideTheRange) {
  for (std::size_t length = 0; length <= 20; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int value = 0; value < 256; ++value) {
        std::string s(length, 'a');
        s[at] = static_cast<char>(value);
        const bool printable = value >= 0x20 && value <= 0x7E;
        EXPECT_EQ((ascii_run<0x20, 0x7E>(s)), printable ? length : at) << length << " " << value;
        const bool visible = value >= 0x21 && value <= 0x7E;
        EXPECT_EQ((ascii_run<0x21, 0x7E>(s)), visible ? length : at) << length << " " << value;
        const bool digit = value >= '0' && value <= '9';
        std::string digits(length, '5');
        digits[at] = static_cast<char>(value);
        EXPECT_EQ((ascii_run<'0', '9'>(digits)), digit ? length : at) << length << " " << value;
      }
    }
  }
}

TEST(AsciiRunTest, EmptyAndWhole) {
  EXPECT_EQ((ascii_run<0x20, 0x7E>("")), 0u);
  EXPECT_EQ((ascii_run<0x20, 0x7E>("hello, world: a longer line")), 27u);
}

}  // namespace
}  // namespace sluice::rag
