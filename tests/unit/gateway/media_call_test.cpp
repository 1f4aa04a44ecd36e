#include "gateway/media_call.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

TEST(MediaUsageTest, ReadsImageAndTranscriptionTokenUsage) {
  Usage image;
  ASSERT_TRUE(read_media_usage(
      R"({"created":1,"data":[{"b64_json":"AAAA"}],"usage":{"total_tokens":300,)"
      R"("input_tokens":28,"output_tokens":272,"input_tokens_details":{"text_tokens":8,)"
      R"("image_tokens":20,"cached_tokens":4}}})",
      image));
  EXPECT_EQ(image.prompt_tokens, 28);
  EXPECT_EQ(image.completion_tokens, 272);
  EXPECT_EQ(image.cached_tokens, 4);
  EXPECT_TRUE(image.reported);
  EXPECT_FALSE(image.estimated);

  Usage transcription;
  ASSERT_TRUE(read_media_usage(
      R"({"text":"hi","usage":{"type":"tokens","input_tokens":14,)"
      R"("input_token_details":{"text_tokens":0,"audio_tokens":14},"output_tokens":45,)"
      R"("total_tokens":59}})",
      transcription));
  EXPECT_EQ(transcription.prompt_tokens, 14);
  EXPECT_EQ(transcription.completion_tokens, 45);
}

// A streamed transcription ends with transcript.text.done, which carries the usage.
TEST(MediaUsageTest, ReadsTheUsageOfAStreamsLastEvent) {
  Usage usage;
  ASSERT_TRUE(read_media_usage(
      "data: {\"type\":\"transcript.text.delta\",\"delta\":\"hi\"}\n\n"
      "data: {\"type\":\"transcript.text.done\",\"text\":\"hi\",\"usage\":{\"input_tokens\":3,"
      "\"output_tokens\":1}}\n\n",
      usage));
  EXPECT_EQ(usage.prompt_tokens, 3);
  EXPECT_EQ(usage.completion_tokens, 1);
}

// No tokens is not zero tokens: usage in seconds, none at all, or a cut object read as none.
TEST(MediaUsageTest, FindsNoTokensWhereThereAreNone) {
  const std::string_view cases[] = {
      R"({"text":"hi","usage":{"type":"duration","seconds":9}})",
      R"({"text":"hi"})",
      R"({"text":"hi","usage":{"input_tokens":3,)",
      R"({"text":"the \"usage\" of words"})",
      "ID3\x04\x00binary audio",
  };
  for (std::string_view text : cases) {
    Usage usage;
    EXPECT_FALSE(read_media_usage(text, usage)) << text;
    EXPECT_FALSE(usage.reported);
  }
}

TEST(MediaEndpointTest, RoutesAndKinds) {
  EXPECT_EQ(endpoint_route(Endpoint::transcription), "/v1/audio/transcriptions");
  EXPECT_EQ(endpoint_route(Endpoint::image_edit), "/v1/images/edits");
  EXPECT_EQ(endpoint_route(Endpoint::speech), "/v1/audio/speech");
  EXPECT_TRUE(is_media(Endpoint::image_generation));
  EXPECT_TRUE(is_media(Endpoint::translation));
  EXPECT_FALSE(is_media(Endpoint::moderations));
  EXPECT_FALSE(is_media(Endpoint::rerank));
}

}  // namespace
}  // namespace sluice::gateway
