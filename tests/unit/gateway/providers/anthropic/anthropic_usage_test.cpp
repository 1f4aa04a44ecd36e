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

}  // namespace
}  // namespace sluice::gateway
