#pragma once
// Media calls (images, audio) passed through to providers that serve them: the request goes
// upstream with only its model renamed, and the upstream's answer (JSON or binary) comes back as
// it arrives, both in bounded memory.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "gateway/types.hpp"

namespace sluice::http {
class UpstreamBody;
}

namespace sluice::gateway {

// A multipart upload relayed as it arrives, whose `model` field is rewritten for the deployment
// each attempt goes to. Its bytes can be sent once: after an attempt has taken any, no other
// attempt may follow.
class MediaUpload {
 public:
  virtual ~MediaUpload() = default;
  // The body for an attempt at a deployment that calls the model `upstream_model`; valid until
  // the next call. Null once an earlier attempt has taken bytes of the body.
  virtual http::UpstreamBody* body_for(std::string_view upstream_model) = 0;
  // The Content-Type to send with it (multipart/form-data and the client's boundary).
  virtual std::string_view content_type() const = 0;
  // Whether any attempt has taken bytes of the body.
  virtual bool consumed() const = 0;
};

// Receives a media call's successful answer as it arrives: once begun, nothing may be retried.
class MediaSink {
 public:
  virtual ~MediaSink() = default;
  // Called before each attempt with the deployment it goes to (for x-sluice-deployment).
  virtual void on_attempt(std::string_view deployment) = 0;
  // The answer's head (a 2xx status and the upstream's Content-Type), before its first bytes.
  virtual boost::asio::awaitable<bool> begin(int status, std::string_view content_type) = 0;
  // The next bytes of the answer; false once the client is gone.
  virtual boost::asio::awaitable<bool> write(std::string_view bytes) = 0;
  virtual bool started() const = 0;
};

struct MediaRequest {
  Endpoint endpoint = Endpoint::image_generation;  // one of the media ones (is_media)
  std::string model;                               // as the client named it
  // JSON operations: the parsed body and its text (sent as is when the model needs no renaming).
  const boost::json::object* body = nullptr;
  std::string_view raw_body;
  // Multipart operations: the upload.
  MediaUpload* upload = nullptr;
  const core::TraceContext* trace = nullptr;
  std::string_view request_id;
  // The client's x-mock-* header lines, for providers configured with forward_mock_headers.
  std::string_view forward_headers;
  RequestLimits limits;
};

// Usage as media endpoints report it: `usage.input_tokens` / `output_tokens` (gpt-image-1, the
// gpt-4o transcription models), with cached input in input_tokens_details.cached_tokens, or
// `prompt_tokens` / `completion_tokens`; the last "usage" object of `text`, which may be JSON or
// an event stream ending with one. Usage billed in seconds of audio (whisper-1's
// {"type":"duration"}) carries no tokens: false, as when there is none.
bool read_media_usage(std::string_view text, Usage& usage);

}  // namespace sluice::gateway
