#include "gateway/providers/upstream_models.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

TEST(UpstreamModelsTest, ReadsOpenAiAndAnthropicLists) {
  auto openai = parse_model_ids(
      R"({"object":"list","data":[{"id":"gpt-4o","object":"model","owned_by":"system"},)"
      R"({"id":"meta-llama/llama-3","object":"model"}]})");
  ASSERT_TRUE(openai.ok());
  EXPECT_EQ(*openai, (std::vector<std::string>{"gpt-4o", "meta-llama/llama-3"}));
  auto anthropic = parse_model_ids(
      R"({"data":[{"id":"claude-sonnet-4-5","type":"model","display_name":"Claude"}],)"
      R"("has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-sonnet-4-5"})");
  ASSERT_TRUE(anthropic.ok());
  EXPECT_EQ(*anthropic, (std::vector<std::string>{"claude-sonnet-4-5"}));
}

TEST(UpstreamModelsTest, SkipsUnusableIds) {
  const std::string too_long(kMaxModelIdLength + 1, 'x');
  auto ids = parse_model_ids(R"({"data":[{"id":""},{"id":7},{"name":"x"},"str",{"id":"a b"},)"
                             R"({"id":"new\nline"},{"id":")" +
                             too_long + R"("},{"id":"ok"}]})");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"ok"}));
}

TEST(UpstreamModelsTest, BoundsTheCount) {
  std::string body = R"({"data":[)";
  for (std::size_t i = 0; i < kMaxUpstreamModels + 50; ++i) {
    if (i > 0) body += ',';
    body += R"({"id":"m)";
    body += std::to_string(i);
    body += "\"}";
  }
  body += "]}";
  auto ids = parse_model_ids(body);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), kMaxUpstreamModels);
}

TEST(UpstreamModelsTest, RejectsWhatIsNotAList) {
  EXPECT_FALSE(parse_model_ids("not json").ok());
  EXPECT_FALSE(parse_model_ids(R"({"models":[]})").ok());
  EXPECT_FALSE(parse_model_ids(R"([{"id":"a"}])").ok());
}

}  // namespace
}  // namespace sluice::gateway
