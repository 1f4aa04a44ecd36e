#include "rag/condense.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(CondenseTest, ConcatenatesTheUserQuestions) {
  EXPECT_EQ(concatenated_query({{"user", "rust release"}, {"assistant", "2015 [1]"}}, "and go?"),
            "rust release and go?");
  EXPECT_EQ(concatenated_query({}, "alone"), "alone");
}

TEST(CondenseTest, KeepsTheLastTurnsStartingWithAQuestion) {
  std::vector<Turn> history = {{"user", "q1"},      {"assistant", "a1"}, {"user", "q2"},
                               {"assistant", "a2"}, {"user", "q3"},      {"assistant", "a3"}};
  const auto last = last_turns(history, 2);
  ASSERT_EQ(last.size(), 4u);
  EXPECT_EQ(last.front().content, "q2");
  EXPECT_TRUE(last_turns(history, 0).empty());
  // Cut mid-turn (an answer first): the dangling answer goes.
  const auto odd = last_turns({{"assistant", "a0"}, {"user", "q1"}}, 1);
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd.front().content, "q1");
}

}  // namespace
}  // namespace sluice::rag
