#include "gateway/token_estimate.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace sluice::gateway {
namespace {

boost::json::array messages(std::string_view json) { return boost::json::parse(json).as_array(); }

TEST(EstimateTokensTest, AboutFourBytesPerToken) {
  EXPECT_EQ(estimate_tokens(""), 0);
  EXPECT_EQ(estimate_tokens("a"), 1);
  EXPECT_EQ(estimate_tokens("abcd"), 1);
  EXPECT_EQ(estimate_tokens("abcde"), 2);
  EXPECT_EQ(estimate_tokens(std::string(4'000, 'x')), 1'000);
}

TEST(EstimateTokensTest, CountsUtf8Bytes) {
  EXPECT_EQ(estimate_tokens("\xE6\x97\xA5\xE6\x9C\xAC"), 2);  // two CJK characters, 6 bytes
}

TEST(EstimatePromptTokensTest, EmptyConversationIsJustThePriming) {
  EXPECT_EQ(estimate_prompt_tokens(boost::json::array{}), 3);
}

TEST(EstimatePromptTokensTest, StringContent) {
  const auto m = messages(R"([{"role":"system","content":"abcdefgh"},
                              {"role":"user","content":"abcd"}])");
  EXPECT_EQ(estimate_prompt_tokens(m), 3 + (4 + 2) + (4 + 1));
}

TEST(EstimatePromptTokensTest, TextPartsCountAndOtherPartsDoNot) {
  const auto m = messages(R"([{"role":"user","content":[
      {"type":"text","text":"abcdefgh"},
      {"type":"image_url","image_url":{"url":"https://example.com/a-long-url.png"}},
      {"type":"text","text":"abcd"},
      {"type":"text"},
      "stray"]}])");
  EXPECT_EQ(estimate_prompt_tokens(m), 3 + 4 + 2 + 1);
}

TEST(EstimatePromptTokensTest, ToolCallsCount) {
  const auto m = messages(R"([{"role":"assistant","content":null,"tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}])");
  // "weather" 7 bytes -> 2; the 15-byte arguments -> 4; "sunny" -> 2.
  EXPECT_EQ(estimate_prompt_tokens(m), 3 + (4 + 2 + 4) + (4 + 2));
}

TEST(EstimatePromptTokensTest, MalformedEntriesAreSkipped) {
  const auto m = messages(R"([42, "hi", null, {"role":"user"}, {"role":"user","content":7}])");
  EXPECT_EQ(estimate_prompt_tokens(m), 3 + 4 + 4);
}

}  // namespace
}  // namespace sluice::gateway
