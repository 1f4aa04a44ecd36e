#pragma once

#include <functional>
#include <optional>

#include "core/config.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/pricing.hpp"
#include "gateway/routing/catalog.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

struct Outcome {
  bool ok = false;
  std::string body;  // non-streaming success
  Usage usage;
  double cost_usd = 0;
  std::string deployment;  // the one that answered (or failed last)
  std::string provider;
  int attempts = 0;
  // Failure, for the client: status, error and (when the upstream gave one) its body.
  Error error;
  std::string error_body;
  std::optional<std::chrono::milliseconds> retry_after;
  bool stream_started = false;  // the failure came after the client saw bytes
};

// Routes one request through a model's deployments: picks by the alias' strategy within the
// lowest priority level, skips open circuits, retries retriable failures on other deployments
// and then on the same ones with jittered exponential backoff (honouring Retry-After) within the
// retry budget, falls back to lower priorities and fallback aliases, and never retries once the
// client has received a byte. Accounts tokens, cost and metrics.
class GatewayService {
 public:
  GatewayService(Catalog& catalog, const core::GatewayConfig& config, GatewayMetrics& metrics);

  boost::asio::awaitable<Outcome> chat(const ChatRequest& request, ChunkSink* sink);
  boost::asio::awaitable<Outcome> embeddings(const EmbeddingsRequest& request);
  std::vector<std::string> model_ids() const { return catalog_.alias_names(); }
  const Catalog& catalog() const { return catalog_; }

 private:
  struct RouteContext {
    std::string_view model;
    std::string_view operation;
    std::chrono::steady_clock::time_point started;
  };
  Outcome succeed(const Deployment& deployment, AttemptResult& result, int attempts,
                  const RouteContext& context);
  Outcome fail(const AttemptResult& last, const Deployment* deployment, int attempts,
               const RouteContext& context, std::string_view type);
  Outcome unavailable(std::string_view model, const RouteContext& context);

  using Attempt = std::function<boost::asio::awaitable<AttemptResult>(Deployment&)>;
  boost::asio::awaitable<Outcome> route(std::string_view model, std::string_view operation,
                                        Attempt attempt, ChunkSink* sink);

  Catalog& catalog_;
  core::RetryConfig retry_;
  PriceTable prices_;
  GatewayMetrics& metrics_;
};

}  // namespace sluice::gateway
