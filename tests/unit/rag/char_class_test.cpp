#include "rag/char_class.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(CharClassTest, LettersDigitsAndMarksAreWordCharacters) {
  for (char32_t c : {U'a', U'Z', U'0', U'é', U'ß', U'ª', U'Σ', U'ж', U'ա', U'ש', U'ع', U'क', U'ก',
                     U'한', char32_t{0x0301}})
    EXPECT_EQ(classify(c), CharClass::word) << static_cast<unsigned>(c);
}

TEST(CharClassTest, PunctuationSymbolsAndSpacesSeparate) {
  for (char32_t c :
       {U' ', U'-', U'.', U'\'', U'«', U'×', U'€', U'—', U'“', U'、', U'。', U'！',
        char32_t{0x00A0}, char32_t{0x3000}, char32_t{0xFFFD}, char32_t{0x1F600}, char32_t{0xE000}})
    EXPECT_EQ(classify(c), CharClass::separator) << static_cast<unsigned>(c);
}

TEST(CharClassTest, HanAndKanaAreTermsOfTheirOwn) {
  for (char32_t c : {U'中', U'文', U'あ', U'カ', char32_t{0x20000}})
    EXPECT_EQ(classify(c), CharClass::ideograph) << static_cast<unsigned>(c);
}

}  // namespace
}  // namespace sluice::rag
