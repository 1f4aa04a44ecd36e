#include "gateway/gateway_service.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "gateway/routing/itinerary.hpp"
#include "gateway/routing/retry_policy.hpp"

namespace sluice::gateway {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

Rng& thread_rng() {
  thread_local Rng rng{std::random_device{}()};
  return rng;
}

// Failures that say something about the deployment's health (not about the request).
bool counts_against_deployment(const AttemptResult& result) { return result.retriable; }

std::string_view error_type(const AttemptResult& result) {
  if (result.timed_out) return "timeout";
  if (result.upstream_status == 429) return "rate_limited";
  if (result.upstream_status >= 500) return "upstream_5xx";
  if (result.upstream_status > 0) return "upstream_4xx";
  return "unavailable";
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

Outcome failure_outcome(const AttemptResult& last, const Deployment* deployment, int attempts) {
  Outcome outcome;
  outcome.error = last.error;
  outcome.error_body = last.upstream_error_body;
  outcome.retry_after = last.retry_after;
  outcome.attempts = attempts;
  if (deployment) {
    outcome.deployment = deployment->id;
    outcome.provider = deployment->provider->name();
  }
  outcome.usage = last.usage;
  return outcome;
}

}  // namespace

GatewayService::GatewayService(Catalog& catalog, const core::GatewayConfig& config,
                               GatewayMetrics& metrics)
    : catalog_(catalog), retry_(config.retry), prices_(config.prices), metrics_(metrics) {}

Outcome GatewayService::succeed(const Deployment& deployment, AttemptResult& result, int attempts,
                                const RouteContext& context) {
  Outcome outcome;
  outcome.ok = true;
  outcome.body = std::move(result.body);
  outcome.usage = result.usage;
  outcome.attempts = attempts;
  outcome.deployment = deployment.id;
  outcome.provider = deployment.provider->name();
  outcome.cost_usd = prices_.cost_usd(deployment.upstream_model, result.usage.prompt_tokens,
                                      result.usage.completion_tokens, result.usage.cached_tokens);
  const auto now = Clock::now();
  metrics_.operation(context.operation, outcome.provider, context.model,
                     std::chrono::duration<double>(now - context.started).count(), "");
  metrics_.tokens(context.operation, outcome.provider, context.model, result.usage);
  metrics_.cost(deployment.upstream_model, outcome.cost_usd);
  if (result.first_token_seen)
    metrics_.time_to_first_token(
        outcome.provider, context.model,
        std::chrono::duration<double>(result.first_token_at - context.started).count());
  return outcome;
}

Outcome GatewayService::fail(const AttemptResult& last, const Deployment* deployment, int attempts,
                             const RouteContext& context, std::string_view type) {
  Outcome outcome = failure_outcome(last, deployment, attempts);
  metrics_.operation(context.operation, outcome.provider, context.model,
                     std::chrono::duration<double>(Clock::now() - context.started).count(), type);
  return outcome;
}

Outcome GatewayService::unavailable(std::string_view model, const RouteContext& context) {
  AttemptResult none;
  none.error = make_error(Errc::unavailable,
                          "every deployment of model `" + std::string(model) +
                              "` is unavailable (circuit open); try again later",
                          "model", "deployments_unavailable");
  return fail(none, nullptr, 0, context, "circuit_open");
}

// The coroutine keeps only what must live across its suspensions; building outcomes and
// choosing deployments happen in plain functions, so a long stream holds a small frame.
asio::awaitable<Outcome> GatewayService::route(std::string_view model, std::string_view operation,
                                               Attempt attempt, ChunkSink* sink) {
  const RouteContext context{model, operation, Clock::now()};
  auto chain = catalog_.resolve(model);
  if (!chain) co_return failure_outcome(AttemptResult::failure(chain.error(), false), nullptr, 0);
  Itinerary itinerary(*chain, retry_.max_attempts);
  RetryBudget budget(retry_);
  AttemptResult last;
  const Deployment* last_deployment = nullptr;
  while (Deployment* deployment = itinerary.next(Clock::now(), thread_rng())) {
    if (itinerary.is_retry()) {  // that deployment failed already: back off first
      const auto delay = budget.next_delay(itinerary.attempts() - 1, last.retry_after);
      if (!delay) {
        itinerary.cancel_last();
        break;
      }
      co_await sleep_for(*delay);
    }
    if (sink) sink->on_attempt(deployment->id);
    const auto attempt_started = Clock::now();
    deployment->stats.begin();
    last = co_await attempt(*deployment);
    const auto attempt_done = Clock::now();
    deployment->stats.end(attempt_done - attempt_started, last.ok);
    metrics_.upstream_attempt(*deployment, attempt_outcome(last));
    last_deployment = deployment;
    if (last.ok) {
      deployment->breaker.on_success(attempt_done);
      co_return succeed(*deployment, last, itinerary.attempts(), context);
    }
    if (counts_against_deployment(last)) deployment->breaker.on_failure(attempt_done);
    if (sink && sink->started()) {  // bytes reached the client: no retry may follow
      Outcome outcome = fail(last, deployment, itinerary.attempts(), context, error_type(last));
      outcome.stream_started = true;
      co_return outcome;
    }
    if (!last.retriable) break;
  }
  if (itinerary.attempts() == 0 && itinerary.skipped_open()) co_return unavailable(model, context);
  co_return fail(last, last_deployment, itinerary.attempts(), context, error_type(last));
}

// Not coroutines themselves: one frame less per request, which for a stream is held to its end.
asio::awaitable<Outcome> GatewayService::chat(const ChatRequest& request, ChunkSink* sink) {
  ChunkSink* stream_sink = request.stream ? sink : nullptr;
  return route(
      request.model, "chat",
      [&request, stream_sink](Deployment& d) {
        return d.provider->chat(request, d.upstream_model, stream_sink);
      },
      stream_sink);
}

asio::awaitable<Outcome> GatewayService::embeddings(const EmbeddingsRequest& request) {
  return route(
      request.model, "embeddings",
      [&request](Deployment& d) { return d.provider->embeddings(request, d.upstream_model); },
      nullptr);
}

}  // namespace sluice::gateway
