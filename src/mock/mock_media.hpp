#pragma once
// mock-upstream's image and audio endpoints: deterministic answers that say what they received,
// so that a test through the gateway can tell that an upload arrived whole (its size and FNV-1a
// hash) and under which model. Uploads are read as they arrive (a streamed-body route and the
// multipart scanner), in bounded memory like the gateway's.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "mock/mock_knobs.hpp"

namespace sluice::mock {

// A 1x1 PNG, base64: what every mock image is.
extern const char* const kTinyPngBase64;

// What a multipart upload carried: its small fields' values and, for each file, its size and
// FNV-1a hash (64-bit, hex).
struct UploadSummary {
  std::map<std::string, std::string> fields;  // values over 4 KiB are cut there
  struct File {
    std::string field, filename;
    std::uint64_t bytes = 0;
    std::uint64_t fnv1a = 0;
  };
  std::vector<File> files;
  std::string field(const std::string& name) const {
    const auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }
};

// The answers. `model` as the request named it; the error to answer (OpenAI's 400s) otherwise.
// Images: b64_json (or `url`, when response_format asks), n of them; gpt-image-* models report
// usage (input: a token per prompt word plus one per KiB of input images; output: 272 per image).
Result<std::string> image_generation_reply(const boost::json::object& request, long long created);
Result<std::string> image_upload_reply(const UploadSummary& upload, bool variation,
                                       long long created);
// Transcriptions and translations: the text "Transcribed <bytes> bytes of <filename> (fnv1a
// <hash>) with <model>." in the response_format asked (json, text, verbose_json, srt, vtt).
// gpt-4o*-transcribe models report token usage (input: a token per KiB of audio; output: a
// token per word), whisper-1 usage in seconds (a second per 16 KB); translations none.
struct TextReply {
  std::string content_type;
  std::string body;
};
Result<TextReply> audio_text_reply(const UploadSummary& upload, bool translation);
// Speech: the audio's Content-Type for a response_format (mp3 when absent), or an error.
Result<std::string> speech_content_type(const boost::json::object& request);
// The i-th byte of every mock audio answer, so that a test can check what it got.
inline char mock_audio_byte(std::uint64_t i) { return static_cast<char>((i * 131 + 17) % 251); }

struct MediaStats {
  std::atomic<long long> images{0}, transcriptions{0}, translations{0}, speech{0}, upload_bytes{0},
      uploads_cut{0}, upload_resets{0};
  std::string to_json() const;
};

// Runs the request's faults (latency, reset, injected error); the plan, or empty when answered.
using FaultGate = std::function<boost::asio::awaitable<std::optional<Plan>>(http::Exchange&)>;

// POST /v1/images/{generations,edits,variations}, /v1/audio/{transcriptions,translations,speech}
// and GET /mock/media/stats. An upload's x-mock-reset-after-bytes: N drops the connection once N
// bytes of its body arrived (an upstream failing mid-upload); a speech request's
// x-mock-speech-bytes: N sets the audio's size (else 1 KiB per input character).
void register_media_routes(http::Router& router, MediaStats& stats, FaultGate faults);

}  // namespace sluice::mock
