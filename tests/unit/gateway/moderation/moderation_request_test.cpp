#include "gateway/moderation/moderation_request.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {
namespace json = boost::json;

Result<std::vector<ModerationInput>> inputs_of(std::string_view request) {
  return moderation_inputs(json::parse(request).as_object());
}

TEST(ModerationInputs, AStringIsOneInput) {
  const auto inputs = inputs_of(R"({"input":"hello"})").value();
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].text, "hello");
  EXPECT_FALSE(inputs[0].has_image);
}

TEST(ModerationInputs, AnArrayOfStringsIsOneInputEach) {
  const auto inputs =
      inputs_of(R"({"model":"omni-moderation-latest","input":["a","","c"]})").value();
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[2].text, "c");
}

TEST(ModerationInputs, MultimodalPartsAreOneInput) {
  const auto inputs = inputs_of(R"({"input":[{"type":"text","text":"look"},
      {"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
      {"type":"text","text":"here"}]})")
                          .value();
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].text, "look\nhere");
  EXPECT_TRUE(inputs[0].has_image);
}

TEST(ModerationInputs, MalformedRequestsNameTheParam) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({})", "input"},
      {R"({"input":null})", "input"},
      {R"({"input":5})", "input"},
      {R"({"input":[]})", "input"},
      {R"({"input":["a",5]})", "input[1]"},
      {R"({"input":[{"type":"text","text":"a"},"b"]})", "input[1]"},
      {R"({"input":[{"type":"text"}]})", "input[0].text"},
      {R"({"input":[{"type":"image_url","image_url":{}}]})", "input[0].image_url.url"},
      {R"({"input":[{"type":"audio"}]})", "input[0].type"},
      {R"({"input":"x","model":""})", "model"},
      {R"({"input":"x","model":7})", "model"},
  };
  for (const auto& [request, param] : cases) {
    const auto inputs = inputs_of(request);
    ASSERT_FALSE(inputs.ok()) << request;
    EXPECT_EQ(inputs.error().code, Errc::invalid_request) << request;
    EXPECT_EQ(inputs.error().param, param) << request;
  }
}

}  // namespace
}  // namespace sluice::gateway
