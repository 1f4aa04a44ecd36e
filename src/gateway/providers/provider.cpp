#include "gateway/providers/provider.hpp"

#include "gateway/providers/anthropic/anthropic_provider.hpp"
#include "gateway/providers/mock/mock_provider.hpp"
#include "gateway/providers/openai/openai_provider.hpp"

namespace sluice::gateway {

std::string_view endpoint_route(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::moderations:
      return "/v1/moderations";
    case Endpoint::rerank:
      return "/v1/rerank";
    case Endpoint::image_generation:
      return "/v1/images/generations";
    case Endpoint::image_edit:
      return "/v1/images/edits";
    case Endpoint::image_variation:
      return "/v1/images/variations";
    case Endpoint::transcription:
      return "/v1/audio/transcriptions";
    case Endpoint::translation:
      return "/v1/audio/translations";
    case Endpoint::speech:
      return "/v1/audio/speech";
    case Endpoint::count_tokens:
      return "/v1/messages/count_tokens";
  }
  return "/v1/moderations";
}

boost::asio::awaitable<AttemptResult> Provider::call(const EndpointRequest& request,
                                                     std::string_view) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request, "provider " + name() + " has no " +
                                            std::string(endpoint_route(request.endpoint)) +
                                            " endpoint"));
}

boost::asio::awaitable<AttemptResult> Provider::messages(const MessagesRequest&, std::string_view,
                                                         MessagesStreamSink*) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request,
                 "provider " + name() + " does not speak Anthropic's Messages API", "model"));
}

boost::asio::awaitable<AttemptResult> Provider::count_tokens(const MessagesRequest&,
                                                             std::string_view) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request,
                 "provider " + name() + " has no /v1/messages/count_tokens endpoint", "model"));
}

boost::asio::awaitable<AttemptResult> Provider::media(const MediaRequest& request,
                                                      std::string_view upstream_model,
                                                      MediaSink& sink) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request, "provider " + name() + " has no " +
                                            std::string(endpoint_route(request.endpoint)) +
                                            " endpoint"));
}

Result<std::unique_ptr<Provider>> make_provider(const core::ProviderConfig& config) {
  // The key goes into a header line: a CR or LF in it would inject headers upstream.
  if (config.api_key.find_first_of("\r\n") != std::string::npos)
    return make_error(Errc::invalid_request,
                      "provider " + config.name + ": api_key has a line break");
  for (const auto& [header, value] : config.headers)
    if (header.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      return make_error(Errc::invalid_request,
                        "provider " + config.name + ": header " + header + " has a line break");
  if (config.type == "mock")
    return std::unique_ptr<Provider>(std::make_unique<MockProvider>(config));
  auto endpoint = http::UpstreamEndpoint::parse(config.base_url);
  if (!endpoint)
    return make_error(Errc::invalid_request,
                      "provider " + config.name + ": " + endpoint.error().message);
  endpoint->ca_file = config.ca_file;
  endpoint->proxy = config.egress.proxy;
  if (config.type == "anthropic")
    return std::unique_ptr<Provider>(std::make_unique<AnthropicProvider>(config, *endpoint));
  if (config.type == "openai" || config.type == "azure")
    return std::unique_ptr<Provider>(std::make_unique<OpenAiProvider>(config, *endpoint));
  return make_error(Errc::invalid_request,
                    "provider " + config.name + ": unknown type " + config.type);
}

std::string header_lines(const std::map<std::string, std::string>& headers) {
  std::string lines;
  for (const auto& [name, value] : headers) {
    lines += name;
    lines += ": ";
    lines += value;
    lines += "\r\n";
  }
  return lines;
}

}  // namespace sluice::gateway
