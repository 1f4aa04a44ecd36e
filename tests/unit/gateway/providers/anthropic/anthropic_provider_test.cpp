#include "gateway/providers/anthropic/anthropic_provider.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

TEST(AnthropicProviderTest, MessagesTargetUnderTheBaseUrlPath) {
  EXPECT_EQ(anthropic_messages_target(""), "/v1/messages");  // https://api.anthropic.com
  EXPECT_EQ(anthropic_messages_target("/anthropic"), "/anthropic/v1/messages");  // a proxy
}

TEST(AnthropicProviderTest, BaseUrlEndingInV1IsNotDoubled) {
  // "https://api.anthropic.com/v1" is how config examples write it; /v1/v1/messages is a 404.
  EXPECT_EQ(anthropic_messages_target("/v1"), "/v1/messages");
  EXPECT_EQ(anthropic_messages_target("/proxy/v1"), "/proxy/v1/messages");
  EXPECT_EQ(anthropic_messages_target("/api/v10"), "/api/v10/v1/messages");
}

TEST(AnthropicProviderTest, ModelsTargetFollowsTheSameRule) {
  EXPECT_EQ(anthropic_models_target(""), "/v1/models?limit=1000");
  EXPECT_EQ(anthropic_models_target("/proxy/v1"), "/proxy/v1/models?limit=1000");
}

}  // namespace
}  // namespace sluice::gateway
