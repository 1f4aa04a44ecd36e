#include "mock/mock_tool_turns.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kTools =
    R"([{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",)"
    R"("properties":{"city":{"type":"string"},"days":{"type":"integer"},"metric":{"type":"boolean"}},)"
    R"("required":["city","days","metric"],"additionalProperties":false}}},)"
    R"({"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}])";

json::object chat(std::string_view messages, std::string_view extra = "") {
  return json::parse(std::string(R"({"model":"m","tools":)") + std::string(kTools) +
                     std::string(extra) + R"(,"messages":)" + std::string(messages) + "}")
      .as_object();
}

TEST(MockToolTurnsTest, FirstTheModelCallsTheFirstToolWithItsRequiredArguments) {
  const auto reply = mock_tool_turn(chat(R"([{"role":"user","content":"Paris"}])"));
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->tool_calls.size(), 1u);
  EXPECT_EQ(reply->tool_calls[0].name, "get_weather");
  EXPECT_EQ(reply->tool_calls[0].arguments, R"({"city":"Paris","days":1,"metric":true})");
  EXPECT_TRUE(reply->tool_calls[0].id.starts_with("call_"));
  EXPECT_EQ(reply->finish_reason, "tool_calls");
  EXPECT_GT(reply->prompt_tokens, 0);
}

TEST(MockToolTurnsTest, ThenItAnswersQuotingTheResults) {
  const auto reply = mock_tool_turn(chat(R"([{"role":"user","content":"Paris"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"get_weather","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"Sunny, 21C"}])"));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->tool_calls.empty());
  EXPECT_TRUE(reply->content.starts_with("Tool results: Sunny, 21C. Mock reply to: Paris."))
      << reply->content;
  EXPECT_EQ(reply->finish_reason, "stop");
  // A new question starts a new round.
  const auto again = mock_tool_turn(chat(R"([{"role":"user","content":"Paris"},
      {"role":"tool","tool_call_id":"call_1","content":""},{"role":"user","content":"Rome"}])"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->tool_calls.size(), 1u);
}

TEST(MockToolTurnsTest, OnlyWhenTheChoiceIsLeftToTheModel) {
  const std::string_view user = R"([{"role":"user","content":"Paris"}])";
  EXPECT_TRUE(mock_tool_turn(chat(user, R"(,"tool_choice":"auto")")));
  EXPECT_FALSE(mock_tool_turn(chat(user, R"(,"tool_choice":"none")")));
  EXPECT_FALSE(mock_tool_turn(chat(user, R"(,"tool_choice":"required")")))
      << "a forced call is mock_chat_reply's";
  EXPECT_FALSE(mock_tool_turn(
      json::parse(R"({"model":"m","messages":[{"role":"user","content":"x"}]})").as_object()));
}

}  // namespace
}  // namespace sluice::mock
