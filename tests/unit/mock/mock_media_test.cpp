#include "mock/mock_media.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::mock {
namespace {
namespace json = boost::json;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(MockMediaTest, ImageGenerationAnswersTinyPngsAndUsageForGptImage) {
  auto reply = image_generation_reply(
      parse(R"({"model":"gpt-image-1","prompt":"a red fox in snow","n":2})"), 1700000000);
  ASSERT_TRUE(reply) << reply.error().message;
  const json::object out = parse(*reply);
  EXPECT_EQ(out.at("created").as_int64(), 1700000000);
  ASSERT_EQ(out.at("data").as_array().size(), 2u);
  EXPECT_EQ(out.at("data").as_array()[0].at("b64_json").as_string(), kTinyPngBase64);
  EXPECT_EQ(out.at("usage").at("input_tokens").as_int64(), 5);
  EXPECT_EQ(out.at("usage").at("output_tokens").as_int64(), 544);

  auto dalle = image_generation_reply(
      parse(R"({"model":"dall-e-3","prompt":"fox","response_format":"url"})"), 1);
  ASSERT_TRUE(dalle);
  const json::object plain = parse(*dalle);
  EXPECT_FALSE(plain.contains("usage")) << "dall-e reports no usage";
  EXPECT_TRUE(plain.at("data").as_array()[0].as_object().contains("url"));

  EXPECT_EQ(image_generation_reply(parse(R"({"model":"m"})"), 1).error().param, "prompt");
  EXPECT_EQ(image_generation_reply(parse(R"({"prompt":"p","n":11})"), 1).error().param, "n");
}

UploadSummary audio_upload(std::string model, std::uint64_t bytes) {
  UploadSummary upload;
  upload.fields["model"] = std::move(model);
  upload.files.push_back({"file", "speech.mp3", bytes, 0x0123456789abcdefull});
  return upload;
}

TEST(MockMediaTest, TranscriptionSaysWhatArrivedWithUsageByModel) {
  auto gpt = audio_text_reply(audio_upload("gpt-4o-transcribe", 20480), false);
  ASSERT_TRUE(gpt);
  EXPECT_EQ(gpt->content_type, "application/json");
  const json::object out = parse(gpt->body);
  EXPECT_EQ(out.at("text").as_string(),
            "Transcribed 20480 bytes of speech.mp3 (fnv1a 0123456789abcdef) with "
            "gpt-4o-transcribe.");
  EXPECT_EQ(out.at("usage").at("input_tokens").as_int64(), 20);
  EXPECT_EQ(out.at("usage").at("output_tokens").as_int64(), 9);

  auto whisper = audio_text_reply(audio_upload("whisper-1", 48000), false);
  ASSERT_TRUE(whisper);
  EXPECT_EQ(parse(whisper->body).at("usage").at("type").as_string(), "duration");

  auto translation = audio_text_reply(audio_upload("whisper-1", 10), true);
  ASSERT_TRUE(translation);
  EXPECT_FALSE(parse(translation->body).contains("usage"));
  EXPECT_EQ(parse(translation->body).at("text").as_string().subview().substr(0, 11), "Translated ");

  UploadSummary text = audio_upload("whisper-1", 5);
  text.fields["response_format"] = "text";
  EXPECT_EQ(audio_text_reply(text, false)->content_type, "text/plain; charset=utf-8");

  UploadSummary no_file;
  no_file.fields["model"] = "whisper-1";
  EXPECT_EQ(audio_text_reply(no_file, false).error().param, "file");
}

TEST(MockMediaTest, StreamedTranscriptionEndsWithUsage) {
  UploadSummary upload = audio_upload("gpt-4o-mini-transcribe", 4096);
  upload.fields["stream"] = "true";
  auto reply = audio_text_reply(upload, false);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->content_type, "text/event-stream");
  const auto done = reply->body.rfind("data: ");
  const json::object last =
      parse(std::string_view(reply->body).substr(done + 6, reply->body.size() - done - 8));
  EXPECT_EQ(last.at("type").as_string(), "transcript.text.done");
  EXPECT_EQ(last.at("usage").at("input_tokens").as_int64(), 4);
}

TEST(MockMediaTest, ImageEditsCountTheUploadedImages) {
  UploadSummary upload;
  upload.fields["model"] = "gpt-image-1";
  upload.fields["prompt"] = "add a hat";
  upload.files.push_back({"image[]", "a.png", 3000, 1});
  upload.files.push_back({"image[]", "b.png", 2000, 2});
  auto reply = image_upload_reply(upload, false, 1);
  ASSERT_TRUE(reply) << reply.error().message;
  const json::object out = parse(*reply);
  EXPECT_EQ(out.at("data").as_array()[0].at("revised_prompt").as_string(),
            "Edited 2 images of 5000 bytes (fnv1a 0000000000000001, 0000000000000002) with "
            "gpt-image-1: add a hat");
  EXPECT_EQ(out.at("usage").at("input_tokens_details").at("image_tokens").as_int64(), 4);
  upload.fields.erase("prompt");
  EXPECT_EQ(image_upload_reply(upload, false, 1).error().param, "prompt");
  EXPECT_TRUE(image_upload_reply(upload, true, 1)) << "variations take no prompt";
}

TEST(MockMediaTest, SpeechFormatsAndRequiredFields) {
  EXPECT_EQ(*speech_content_type(parse(R"({"model":"tts-1","input":"hi","voice":"alloy"})")),
            "audio/mpeg");
  EXPECT_EQ(*speech_content_type(
                parse(R"({"model":"tts-1","input":"hi","voice":"alloy","response_format":"wav"})")),
            "audio/wav");
  EXPECT_EQ(speech_content_type(parse(R"({"model":"tts-1","input":"hi"})")).error().param, "voice");
  EXPECT_FALSE(speech_content_type(
      parse(R"({"model":"tts-1","input":"hi","voice":"a","response_format":"ogg"})")));
}

}  // namespace
}  // namespace sluice::mock
