#include "gateway/providers/provider.hpp"

#include "gateway/providers/anthropic/anthropic_provider.hpp"
#include "gateway/providers/mock/mock_provider.hpp"
#include "gateway/providers/openai/openai_provider.hpp"

namespace sluice::gateway {

boost::asio::awaitable<AttemptResult> Provider::media(const MediaRequest& request,
                                                      std::string_view upstream_model,
                                                      MediaSink& sink) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request,
                 "provider " + name() + " does not serve /v1" +
                     std::string(media_path(request.operation)) +
                     " (media routes pass through to OpenAI-compatible providers)",
                 "model", "unsupported_operation"));
}

Result<std::unique_ptr<Provider>> make_provider(const core::ProviderConfig& config) {
  // The key goes into a header line: a CR or LF in it would inject headers upstream.
  if (config.api_key.find_first_of("\r\n") != std::string::npos)
    return make_error(Errc::invalid_request,
                      "provider " + config.name + ": api_key has a line break");
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
  if (config.type == "openai")
    return std::unique_ptr<Provider>(std::make_unique<OpenAiProvider>(config, *endpoint));
  return make_error(Errc::invalid_request,
                    "provider " + config.name + ": unknown type " + config.type);
}

}  // namespace sluice::gateway
