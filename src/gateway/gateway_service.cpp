#include "gateway/gateway_service.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "gateway/retry_policy.hpp"

namespace sluice::gateway {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

Rng& thread_rng() {
  thread_local Rng rng{std::random_device{}()};
  return rng;
}

// Failures that say something about the deployment's health (not about the request).
bool counts_against_deployment(const AttemptResult& result) {
  return result.retriable;
}

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

asio::awaitable<Outcome> GatewayService::route(std::string_view model, std::string_view operation,
                                               const Attempt& attempt, ChunkSink* sink) {
  const auto started = Clock::now();
  auto chain = catalog_.resolve(model);
  if (!chain) {
    Outcome outcome;
    outcome.error = chain.error();
    co_return outcome;
  }
  struct Level {
    const std::vector<Deployment*>* deployments;
    Strategy strategy;
  };
  std::vector<Level> levels;
  for (const ModelAlias* alias : *chain)
    for (const auto& group : alias->priority_groups) levels.push_back({&group, alias->strategy});

  RetryBudget budget(retry_);
  int attempts = 0;
  AttemptResult last;
  const Deployment* last_deployment = nullptr;
  bool skipped_open = false;
  std::vector<Candidate> candidates;
  std::vector<Deployment*> pool;

  auto finish_failure = [&](std::string_view type) {
    Outcome outcome = failure_outcome(last, last_deployment, attempts);
    metrics_.operation(operation, outcome.provider, model,
                       std::chrono::duration<double>(Clock::now() - started).count(), type);
    return outcome;
  };

  // Round 0 tries each deployment once, level by level; later rounds retry them after backoff.
  for (int round = 0; attempts < retry_.max_attempts; ++round) {
    bool attempted_this_round = false;
    for (const Level& level : levels) {
      pool.assign(level.deployments->begin(), level.deployments->end());
      while (!pool.empty() && attempts < retry_.max_attempts) {
        const auto now = Clock::now();
        std::erase_if(pool, [&](Deployment* d) {
          const bool open = d->breaker.state(now) == CircuitBreaker::State::open;
          skipped_open |= open;
          return open;
        });
        if (pool.empty()) break;
        candidates.clear();
        for (Deployment* d : pool) candidates.push_back({d->weight, &d->stats});
        const std::size_t index = pick(level.strategy, candidates, thread_rng());
        Deployment* deployment = pool[index];
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(index));
        if (!deployment->breaker.allow(now)) {  // half-open and its probes are taken
          skipped_open = true;
          continue;
        }
        if (round > 0) {  // a retry of a deployment that already failed: back off first
          auto delay = budget.next_delay(attempts, last.retry_after);
          if (!delay) co_return finish_failure(error_type(last));
          co_await sleep_for(*delay);
        }
        ++attempts;
        attempted_this_round = true;
        if (sink) sink->on_attempt(deployment->id);
        const auto attempt_started = Clock::now();
        deployment->stats.begin();
        AttemptResult result = co_await attempt(*deployment);
        const auto attempt_done = Clock::now();
        deployment->stats.end(attempt_done - attempt_started, result.ok);
        metrics_.upstream_attempt(*deployment, attempt_outcome(result));
        last_deployment = deployment;
        const std::string& provider = deployment->provider->name();
        if (result.ok) {
          deployment->breaker.on_success(attempt_done);
          Outcome outcome;
          outcome.ok = true;
          outcome.body = std::move(result.body);
          outcome.usage = result.usage;
          outcome.attempts = attempts;
          outcome.deployment = deployment->id;
          outcome.provider = provider;
          outcome.cost_usd = prices_.cost_usd(deployment->upstream_model, result.usage.prompt_tokens,
                                              result.usage.completion_tokens,
                                              result.usage.cached_tokens);
          metrics_.operation(operation, provider, model,
                             std::chrono::duration<double>(attempt_done - started).count(), "");
          metrics_.tokens(operation, provider, model, result.usage);
          metrics_.cost(deployment->upstream_model, outcome.cost_usd);
          if (result.first_token_seen)
            metrics_.time_to_first_token(
                provider, model,
                std::chrono::duration<double>(result.first_token_at - started).count());
          co_return outcome;
        }
        if (counts_against_deployment(result)) deployment->breaker.on_failure(attempt_done);
        last = std::move(result);
        if (sink && sink->started()) {  // bytes reached the client: no retry may follow
          Outcome outcome = finish_failure(error_type(last));
          outcome.stream_started = true;
          co_return outcome;
        }
        if (!last.retriable) co_return finish_failure(error_type(last));
      }
    }
    if (!attempted_this_round) break;
  }
  if (attempts == 0 && skipped_open) {
    last.error = make_error(Errc::unavailable,
                            "every deployment of model `" + std::string(model) +
                                "` is unavailable (circuit open); try again later",
                            "model", "deployments_unavailable");
    last.upstream_error_body.clear();
    co_return finish_failure("circuit_open");
  }
  co_return finish_failure(error_type(last));
}

asio::awaitable<Outcome> GatewayService::chat(const ChatRequest& request, ChunkSink* sink) {
  Attempt attempt = [&](Deployment& d) {
    return d.provider->chat(request, d.upstream_model, request.stream ? sink : nullptr);
  };
  co_return co_await route(request.model, "chat", attempt, request.stream ? sink : nullptr);
}

asio::awaitable<Outcome> GatewayService::embeddings(const EmbeddingsRequest& request) {
  Attempt attempt = [&](Deployment& d) { return d.provider->embeddings(request, d.upstream_model); };
  co_return co_await route(request.model, "embeddings", attempt, nullptr);
}

}  // namespace sluice::gateway
