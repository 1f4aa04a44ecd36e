#include "rag/prompt_template.hpp"

#include <gtest/gtest.h>

#include "fake_retriever.hpp"

namespace sluice::rag {
namespace {

using testing::hit;

TEST(PromptTemplateTest, VersionIsNamed) { EXPECT_EQ(kTemplateVersion, "rag-v1"); }

TEST(PromptTemplateTest, SourceShowsTitleHeadingAndPageWhenPresent) {
  EXPECT_EQ(passage_source(hit(1, "Guide", "Install > Debian", 3, "x")),
            "Guide > Install > Debian (p. 3)");
  EXPECT_EQ(passage_source(hit(1, "Guide", "", 0, "x")), "Guide");
  EXPECT_EQ(passage_source(hit(1, "", "Intro", 0, "x")), "Intro");
}

TEST(PromptTemplateTest, PassagesAreNumberedFromOneInOrder) {
  const std::string passages =
      numbered_passages({hit(7, "A", "H", 2, "first text"), hit(3, "B", "", 0, "second text")});
  EXPECT_EQ(passages, "[1] A > H (p. 2)\nfirst text\n\n[2] B\nsecond text");
}

TEST(PromptTemplateTest, AnswerPromptHasInstructionsPassagesHistoryAndQuestion) {
  const auto messages = answer_prompt("why?", {hit(1, "A", "", 0, "because")},
                                      {{"user", "what?"}, {"assistant", "this [1]"}});
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].role, "system");
  EXPECT_NE(messages[0].content.find("[1] A\nbecause"), std::string::npos);
  EXPECT_NE(messages[0].content.find("square brackets"), std::string::npos);
  EXPECT_NE(messages[0].content.find("do not contain the answer"), std::string::npos);
  EXPECT_EQ(messages[1].content, "what?");
  EXPECT_EQ(messages[2].role, "assistant");
  EXPECT_EQ(messages[3].role, "user");
  EXPECT_EQ(messages[3].content, "why?");
}

TEST(PromptTemplateTest, CondensationPromptCarriesTheConversation) {
  const auto messages = condensation_prompt("and later?", {{"user", "rust 1.0"}});
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].content, "user: rust 1.0\nuser: and later?");
}

}  // namespace
}  // namespace sluice::rag
