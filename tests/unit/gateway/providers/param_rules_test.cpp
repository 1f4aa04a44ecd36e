#include "gateway/providers/param_rules.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

uint64_t count_of(const ParamRules& rules, std::string_view param, std::string_view action) {
  for (const auto& edit : rules.edit_counts())
    if (edit.param == param && edit.action == action) return edit.count;
  return ~0ULL;  // not listed at all
}

TEST(ReasoningModelTest, OSeriesAndGpt5AndLaterButNotTheirChatModels) {
  for (const char* model :
       {"o1", "o1-mini", "o1-2024-12-17", "o3", "o3-mini", "o3-pro", "o4-mini",
        "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-2025-08-07", "gpt-5.1",
        "gpt-5.1-codex", "gpt-6", "openai/o3-mini", "openai/gpt-5"})
    EXPECT_TRUE(is_openai_reasoning_model(model)) << model;
  for (const char* model : {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-nano", "gpt-5-chat-latest",
                            "gpt-oss-120b", "omni-moderation-latest", "o", "ollama-o1x", "llama3.1",
                            "claude-sonnet-4-5", "gpt-", "gpt-5x"})
    EXPECT_FALSE(is_openai_reasoning_model(model)) << model;
}

TEST(ParamRulesTest, ReasoningModelsGetMaxCompletionTokensAndLoseSamplingParameters) {
  const ParamRules rules({}, /*builtin=*/true);
  json::object body =
      parse(R"({"model":"o3","messages":[],"max_tokens":100,"temperature":0.2,"top_p":0.9,)"
            R"("presence_penalty":0.1,"frequency_penalty":0.1,"logprobs":true,"top_logprobs":2,)"
            R"("logit_bias":{"1":1},"seed":7,"stream":true})");
  ASSERT_TRUE(rules.changes("o3", body));
  EXPECT_EQ(rules.first_change("o3", body), "max_tokens");
  ASSERT_TRUE(rules.apply("o3", body));
  EXPECT_EQ(json::serialize(body),
            R"({"model":"o3","messages":[],"max_completion_tokens":100,"seed":7,"stream":true})");
  EXPECT_FALSE(rules.changes("o3", body)) << "applying twice changes nothing more";
  EXPECT_EQ(count_of(rules, "max_tokens", "renamed"), 1u);
  EXPECT_EQ(count_of(rules, "temperature", "dropped"), 1u);
  EXPECT_EQ(count_of(rules, "logit_bias", "dropped"), 1u);
}

TEST(ParamRulesTest, OtherModelsAndRequestsWithoutThoseParametersAreLeftAlone) {
  const ParamRules rules({}, true);
  const json::object sampling = parse(R"({"messages":[],"max_tokens":5,"temperature":0})");
  EXPECT_FALSE(rules.changes("gpt-4o", sampling));
  EXPECT_FALSE(rules.changes("gpt-5-chat-latest", sampling));
  EXPECT_FALSE(rules.changes("o4-mini", parse(R"({"messages":[],"max_completion_tokens":5})")));
  EXPECT_EQ(count_of(rules, "temperature", "dropped"), 0u) << "listed from the start";
}

TEST(ParamRulesTest, AnExplicitMaxCompletionTokensWins) {
  const ParamRules rules({}, true);
  json::object body = parse(R"({"max_tokens":10,"max_completion_tokens":20})");
  ASSERT_TRUE(rules.apply("gpt-5-mini", body));
  EXPECT_EQ(json::serialize(body), R"({"max_completion_tokens":20})");
}

TEST(ParamRulesTest, SamplingIsKeptWhenReasoningIsOffOnModelsThatAllowIt) {
  const ParamRules rules({}, true);
  const char* text = R"({"reasoning_effort":"none","temperature":0.3,"top_p":0.5,"logprobs":true,)"
                     R"("presence_penalty":1})";
  json::object newer = parse(text);
  ASSERT_TRUE(rules.apply("gpt-5.1", newer));
  EXPECT_EQ(newer,
            parse(R"({"reasoning_effort":"none","temperature":0.3,"top_p":0.5,"logprobs":true})"));
  // gpt-5 (no .1) has no "none" effort: its sampling parameters still go.
  json::object older = parse(text);
  ASSERT_TRUE(rules.apply("gpt-5", older));
  EXPECT_EQ(json::serialize(older), R"({"reasoning_effort":"none"})");
}

TEST(ParamRulesTest, ConfiguredRulesMatchByPatternAfterTheBuiltIns) {
  core::ParamRuleConfig drop_seed{"prod-*-reasoning", {"seed", "temperature"}, {}};
  core::ParamRuleConfig rename{"*", {}, {{"user", "safety_identifier"}}};
  const ParamRules rules({drop_seed, rename}, true);
  json::object body = parse(R"({"seed":1,"temperature":1,"user":"u","n":2})");
  ASSERT_TRUE(rules.apply("prod-eu-reasoning", body));
  EXPECT_EQ(json::serialize(body), R"({"safety_identifier":"u","n":2})");
  json::object other = parse(R"({"seed":1,"user":"u"})");
  ASSERT_TRUE(rules.apply("prod-eu-chat", other));  // only the "*" rule
  EXPECT_EQ(json::serialize(other), R"({"seed":1,"safety_identifier":"u"})");
  EXPECT_EQ(count_of(rules, "seed", "dropped"), 1u);
  EXPECT_EQ(count_of(rules, "user", "renamed"), 2u);
}

TEST(ParamRulesTest, PatternsMatchTheWholeName) {
  const ParamRules rules({core::ParamRuleConfig{"o3*mini", {"n"}, {}}}, /*builtin=*/false);
  const json::object body = parse(R"({"n":1})");
  EXPECT_TRUE(rules.changes("o3-mini", body));
  EXPECT_TRUE(rules.changes("o3mini", body));
  EXPECT_FALSE(rules.changes("o3-mini-high", body));
  EXPECT_FALSE(rules.changes("xo3-mini", body));
  EXPECT_FALSE(rules.changes("o3", body)) << "built-ins are off";
}

TEST(ParamRulesTest, WithoutRulesNothingIsListedOrChanged) {
  const ParamRules rules({}, false);
  EXPECT_TRUE(rules.edit_counts().empty());
  json::object body = parse(R"({"max_tokens":1})");
  EXPECT_FALSE(rules.apply("o3", body));
}

}  // namespace
}  // namespace sluice::gateway
