#include "gateway/providers/anthropic/anthropic_usage.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

TEST(AnthropicUsageTest, AMessagesUsageBecomesTheGatewaysUsage) {
  AnthropicUsage read;
  anthropic::read_usage(json::parse(R"({"input_tokens":21,"cache_creation_input_tokens":188086,
                                        "cache_read_input_tokens":0,"output_tokens":393})")
                            .as_object(),
                        read);
  const Usage usage = read.to_usage();
  EXPECT_EQ(usage.prompt_tokens, 21 + 188086);
  EXPECT_EQ(usage.cached_tokens, 0);
  EXPECT_EQ(usage.cache_write_tokens, 188086);
  EXPECT_EQ(usage.completion_tokens, 393);
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.prompt_parts().uncached, 21);
}

TEST(AnthropicUsageTest, AStreamsCountsAreTotalsSoFar) {
  // message_start carries the input counts, message_delta the output so far (and, with server
  // tools, input counts again): later counts replace earlier ones, absent ones are kept.
  AnthropicUsage read;
  anthropic::read_usage(json::parse(R"({"input_tokens":10,"cache_read_input_tokens":500,
                                        "cache_creation_input_tokens":40,"output_tokens":1})")
                            .as_object(),
                        read);
  anthropic::read_usage(json::parse(R"({"output_tokens":25})").as_object(), read);
  anthropic::read_usage(json::parse(R"({"output_tokens":30,"input_tokens":null})").as_object(),
                        read);
  const Usage usage = read.to_usage();
  EXPECT_EQ(usage.prompt_tokens, 550);
  EXPECT_EQ(usage.cached_tokens, 500);
  EXPECT_EQ(usage.cache_write_tokens, 40);
  EXPECT_EQ(usage.completion_tokens, 30);
}

TEST(AnthropicUsageTest, OneHourCacheWritesArePartOfTheWrites) {
  AnthropicUsage read;
  anthropic::read_usage(json::parse(R"({"input_tokens":12,"cache_creation_input_tokens":3000,
                                        "cache_read_input_tokens":700,"output_tokens":50,
                                        "cache_creation":{"ephemeral_5m_input_tokens":1000,
                                                          "ephemeral_1h_input_tokens":2000}})")
                            .as_object(),
                        read);
  const Usage usage = read.to_usage();
  EXPECT_EQ(usage.prompt_tokens, 12 + 700 + 3000) << "the split is not counted twice";
  EXPECT_EQ(usage.cache_write_tokens, 3000);
  EXPECT_EQ(usage.cache_write_1h_tokens, 2000);
  const Usage::PromptParts parts = usage.prompt_parts();
  EXPECT_EQ(parts.uncached, 12);
  EXPECT_EQ(parts.cache_read, 700);
  EXPECT_EQ(parts.cache_write, 1000);
  EXPECT_EQ(parts.cache_write_1h, 2000);
  EXPECT_EQ(parts.uncached + parts.cache_read + parts.cache_write + parts.cache_write_1h,
            usage.prompt_tokens);
}

TEST(AnthropicUsageTest, AStreamsSplitComesFromMessageStartAndMessageDelta) {
  AnthropicUsage read;
  // message_start: the split as the request wrote it.
  anthropic::read_usage(json::parse(R"({"input_tokens":5,"cache_creation_input_tokens":400,
                                        "cache_read_input_tokens":0,"output_tokens":1,
                                        "cache_creation":{"ephemeral_5m_input_tokens":0,
                                                          "ephemeral_1h_input_tokens":400}})")
                            .as_object(),
                        read);
  // A message_delta without the split keeps it; one with it replaces it.
  anthropic::read_usage(
      json::parse(R"({"output_tokens":20,"cache_creation_input_tokens":400})").as_object(), read);
  EXPECT_EQ(read.to_usage().cache_write_1h_tokens, 400);
  anthropic::read_usage(json::parse(R"({"output_tokens":30,"cache_creation_input_tokens":600,
                     "cache_creation":{"ephemeral_5m_input_tokens":200,"ephemeral_1h_input_tokens":400}})")
                            .as_object(),
                        read);
  const Usage usage = read.to_usage();
  EXPECT_EQ(usage.prompt_tokens, 605);
  EXPECT_EQ(usage.cache_write_tokens, 600);
  EXPECT_EQ(usage.cache_write_1h_tokens, 400);
  EXPECT_EQ(usage.completion_tokens, 30);
}

TEST(AnthropicUsageTest, AnUpstreamThatSendsOnlyTheSplitStillCountsItsWrites) {
  AnthropicUsage read;
  anthropic::read_usage(json::parse(R"({"input_tokens":3,"output_tokens":4,
                                        "cache_creation":{"ephemeral_5m_input_tokens":10,
                                                          "ephemeral_1h_input_tokens":20}})")
                            .as_object(),
                        read);
  const Usage usage = read.to_usage();
  EXPECT_EQ(usage.prompt_tokens, 33);
  EXPECT_EQ(usage.cache_write_tokens, 30);
  EXPECT_EQ(usage.cache_write_1h_tokens, 20);
}

}  // namespace
}  // namespace sluice::gateway
