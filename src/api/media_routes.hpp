#pragma once

#include <cstddef>
#include <string>

#include "gateway/gateway_service.hpp"
#include "http/router.hpp"

namespace sluice::api {

struct MediaRoutesConfig {
  // The body limit of the upload routes (server.max_media_body_bytes).
  std::size_t max_upload_bytes = 64 * 1024 * 1024;
  // Where an upload waits for its model field (server.media_spool_dir, else storage.data_dir).
  std::string spool_dir = ".";
};

// OpenAI's image and audio endpoints, passed through to the providers that serve them (OpenAI-
// compatible ones) through the same aliases, keys, limits and budgets as chat:
// POST /v1/images/generations and /v1/audio/speech take JSON; /v1/images/edits,
// /v1/images/variations, /v1/audio/transcriptions and /v1/audio/translations take
// multipart/form-data uploads, relayed as they arrive (media_upload.hpp). Answers (JSON, text,
// audio) are relayed as they arrive too.
void register_media_routes(http::Router& router, gateway::GatewayService& service,
                           const MediaRoutesConfig& config);

}  // namespace sluice::api
