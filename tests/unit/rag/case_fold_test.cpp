#include "rag/case_fold.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(CaseFoldTest, FoldsAsciiAndLatin) {
  EXPECT_EQ(fold_case(U'A'), U'a');
  EXPECT_EQ(fold_case(U'z'), U'z');
  EXPECT_EQ(fold_case(U'7'), U'7');
  EXPECT_EQ(fold_case(U'Ä'), U'ä');
  EXPECT_EQ(fold_case(U'ä'), U'ä');
  EXPECT_EQ(fold_case(U'Ø'), U'ø');
  EXPECT_EQ(fold_case(U'×'), U'×');  // not a letter
  EXPECT_EQ(fold_case(U'Ÿ'), U'ÿ');
  EXPECT_EQ(fold_case(U'Ł'), U'ł');
  EXPECT_EQ(fold_case(U'Ž'), U'ž');
  EXPECT_EQ(fold_case(U'ſ'), U's');
  EXPECT_EQ(fold_case(U'İ'), U'i');
  EXPECT_EQ(fold_case(U'ß'), U'ß');  // expands in full folding: left to the stemmer
  EXPECT_EQ(fold_case(U'Ǆ'), U'ǆ');  // Latin Extended-B titlecase digraphs
  EXPECT_EQ(fold_case(U'ǅ'), U'ǆ');
  EXPECT_EQ(fold_case(U'Ɓ'), U'ɓ');
  EXPECT_EQ(fold_case(U'Ạ'), U'ạ');  // Latin Extended Additional (Vietnamese)
  EXPECT_EQ(fold_case(U'ẞ'), U'ß');
  EXPECT_EQ(fold_case(U'µ'), U'μ');
}

TEST(CaseFoldTest, FoldsGreekIncludingFinalSigma) {
  EXPECT_EQ(fold_case(U'Σ'), U'σ');
  EXPECT_EQ(fold_case(U'ς'), U'σ');
  EXPECT_EQ(fold_case(U'σ'), U'σ');
  EXPECT_EQ(fold_case(U'Ω'), U'ω');
  EXPECT_EQ(fold_case(U'Ά'), U'ά');
}

TEST(CaseFoldTest, FoldsCyrillicAndArmenian) {
  EXPECT_EQ(fold_case(U'Я'), U'я');
  EXPECT_EQ(fold_case(U'Ё'), U'ё');
  EXPECT_EQ(fold_case(U'Ѣ'), U'ѣ');
  EXPECT_EQ(fold_case(U'Ԁ'), U'ԁ');  // Cyrillic Supplement
  EXPECT_EQ(fold_case(U'Ա'), U'ա');
  EXPECT_EQ(fold_case(U'Ֆ'), U'ֆ');
}

TEST(CaseFoldTest, FoldsFullWidthToAscii) {
  EXPECT_EQ(fold_case(U'Ａ'), U'a');
  EXPECT_EQ(fold_case(U'ｚ'), U'z');
  EXPECT_EQ(fold_case(U'５'), U'5');
}

TEST(CaseFoldTest, LeavesOtherScriptsAlone) {
  EXPECT_EQ(fold_case(U'中'), U'中');
  EXPECT_EQ(fold_case(U'あ'), U'あ');
  EXPECT_EQ(fold_case(char32_t{0x1F600}), char32_t{0x1F600});
  EXPECT_EQ(fold_case(char32_t{0x10FFFF}), char32_t{0x10FFFF});
}

TEST(CaseFoldTest, IsIdempotentEverywhere) {
  for (char32_t c = 0; c < 0x20000; ++c)
    ASSERT_EQ(fold_case(fold_case(c)), fold_case(c)) << static_cast<unsigned>(c);
}

}  // namespace
}  // namespace sluice::rag
