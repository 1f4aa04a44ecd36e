#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/config.hpp"
#include "gateway/attempt_record.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/media_call.hpp"
#include "gateway/pricing.hpp"
#include "gateway/routing/canary_controller.hpp"
#include "gateway/routing/catalog.hpp"
#include "gateway/routing/decision_random.hpp"
#include "gateway/timing.hpp"
#include "gateway/token_limiter.hpp"
#include "gateway/types.hpp"
#include "gateway/usage_sink.hpp"

namespace sluice::ops {
class DegradedMode;
class Tracer;
}  // namespace sluice::ops

namespace sluice::gateway {

class BudgetGuard;

// How one request through the gateway ended, for the handler to render and log.
struct Outcome {
  bool ok = false;
  std::string body;  // non-streaming success
  Usage usage;
  double cost_usd = 0;
  std::string deployment;  // the one that answered (or failed last)
  std::string provider;
  int attempts = 0;
  // The last attempt's outcome (success when ok); `cancelled` also stands for a request that
  // ran out of deadline between attempts.
  core::AttemptOutcome last_outcome = core::AttemptOutcome::success;
  std::optional<double> time_to_first_token;  // seconds, streams only
  std::string finish_reason;
  bool passed_through = false;  // `body` is in the client's own dialect (AttemptResult's)
  // Failure, for the client: status, error and (when the upstream gave one) its body.
  Error error;
  std::string error_body;
  std::optional<std::chrono::milliseconds> retry_after;
  bool stream_started = false;   // the failure came after the client saw bytes
  TokenLimitReport token_limit;  // for x-ratelimit-*-tokens; limit 0 when none applied
  // The upstream's id for the last attempt (AttemptResult's), for support requests upstream.
  std::string upstream_request_id;
  // No deployment of the model is on a provider that serves the endpoint asked for: nothing was
  // sent (call(), count_tokens()).
  bool unserved = false;
  // The version of a canaried model that served the request: "baseline" or "candidate" (for
  // x-sluice-canary); empty when the model has no canary.
  std::string_view canary;
  // Every attempt made, in order (for the access log's `tries`).
  std::vector<AttemptRecord> tries;
};

// Who asked, for cost and token metrics (bounded label sets: alias names and key names come
// from the configuration).
struct Caller {
  std::string_view key_name;  // empty when unauthenticated; "virtual" for any virtual key
  std::string_view key_id;    // the virtual key's id, whose usage is recorded; empty otherwise
  std::string_view team{};    // its team, whose spend it adds to; empty when none
  long long tokens_per_minute = 0;  // the key's own token limit per model; 0 = the default
};

// The 504 of a request whose deadline passed, naming what sets it.
Error deadline_exceeded();

// Routes one request through a model's deployments: picks by the alias' strategy within the
// lowest priority level, skips open circuits, retries retriable failures on other deployments
// and then on the same ones with jittered exponential backoff (honouring Retry-After) within the
// retry budget and the request's deadline, falls back to lower priorities and fallback aliases,
// never retries once the client has received a byte, and stops as soon as the request is
// cancelled. Every attempt's outcome is reported to its deployment's breaker. Accounts tokens,
// cost and metrics.
class GatewayService {
 public:
  using Clock = Timing::Clock;

  GatewayService(Catalog& catalog, const core::GatewayConfig& config, GatewayMetrics& metrics,
                 Timing& timing = real_timing());

  boost::asio::awaitable<Outcome> chat(const ChatRequest& request, ChunkSink* sink,
                                       Caller caller = {});
  // A POST /v1/messages call, routed as chat() routes: each attempt passes the request through
  // to a deployment whose provider speaks the Messages API and sends the translation to the
  // others, so one itinerary may mix both.
  boost::asio::awaitable<Outcome> messages(const MessagesRequest& request, MessagesStreamSink* sink,
                                           Caller caller = {});
  // A POST /v1/messages/count_tokens call, routed as call() routes, only to deployments whose
  // provider serves Endpoint::count_tokens (Anthropic's), each passed the request as messages()
  // passes it; body: the upstream's {"input_tokens": N}. No tokens are reserved or used, and it
  // costs nothing. When none of the model's deployments serves it: `unserved`, nothing sent.
  boost::asio::awaitable<Outcome> count_tokens(const MessagesRequest& request, Caller caller = {});
  boost::asio::awaitable<Outcome> embeddings(const EmbeddingsRequest& request, Caller caller = {});
  // Reads a successful answer of an endpoint call (and its usage, if any): an error makes the
  // attempt a `protocol` failure, retried elsewhere like any malformed answer.
  using AnswerCheck = std::function<Status(std::string_view body, Usage& usage)>;
  // A call of an endpoint only some providers have (moderations, rerank), routed as the others
  // but only to deployments whose provider serves it; when none of the model's does, a 400 naming
  // the model and the endpoint, and nothing is sent. `check` (optional) reads each answer.
  boost::asio::awaitable<Outcome> call(const EndpointRequest& request, Caller caller = {},
                                       AnswerCheck check = {});
  // Images and audio: routed as call() routes (only to deployments whose provider serves the
  // endpoint), the answer relayed into `sink` as it arrives. An
  // attempt that has sent bytes of an upload is the last: the upload cannot be sent again, so
  // only failures before its first byte (connect errors) go on to another deployment. Token
  // limits admit the call while one token is left and charge what the upstream reports.
  boost::asio::awaitable<Outcome> media(const MediaRequest& request, MediaSink& sink,
                                        Caller caller = {});

  GatewayMetrics& metrics() { return metrics_; }
  // Where the usage of virtual keys' calls goes; null (the default) = nowhere. Set before
  // serving; `sink` must outlive the service.
  void set_usage_sink(UsageSink* sink) { usage_sink_ = sink; }
  // Budgets the model-calling routes hold keys and teams to; null (the default) = none. Set
  // before serving; it must outlive the service.
  void set_budget_guard(const BudgetGuard* guard) { budget_guard_ = guard; }
  const BudgetGuard* budget_guard() const { return budget_guard_; }
  const Catalog& catalog() const { return catalog_; }
  // Where calls of known callers reserve and settle tokens per minute; null (the default) = no
  // token limits. A chat without max_tokens reserves `default_completion_tokens` for its answer.
  // Set before serving; `limiter` must outlive the service.
  void set_token_limiter(TokenLimiter* limiter, long long default_completion_tokens) {
    token_limiter_ = limiter;
    default_completion_tokens_ = default_completion_tokens;
  }
  // Where a span of each attempt goes (of sampled requests); null (the default) = no spans. An
  // attempt of a traced request sends its own span id upstream in traceparent. Set before
  // serving; `tracer` must outlive the service.
  void set_tracer(ops::Tracer* tracer) { tracer_ = tracer; }
  // While `mode` is on (sustained overload), chat calls for a listed model go to its cheaper
  // alias. Set before serving; `mode` must outlive the service.
  void set_degraded_aliases(const ops::DegradedMode* mode,
                            const std::vector<core::DegradedAliasConfig>& aliases);
  // Seeds the balancer's random picks and the seeds of the retry jitter (gateway.random_seed):
  // a generator per thread derived from `seed` (DecisionRandom), so that a run replays exactly;
  // `sluice serve` and `sluice simulate` both seed through here. Unseeded (the default): a
  // generator per thread, seeded from std::random_device. Set before serving.
  void set_random_seed(std::uint64_t seed) { random_ = std::make_unique<DecisionRandom>(seed); }

  // The canaries of the configured aliases (gateway.models[].canary): chat requests (chat
  // completions, Messages, Responses, completions) for such an alias go to its candidate alias
  // in proportion to the canary's weight, until its rollback rule or an admin takes the
  // candidate out (canary_controller.hpp).
  const CanaryRouter& canaries() const { return canaries_; }
  std::vector<CanaryStatus> canary_statuses();
  // An admin's rollback: the candidate gets no more requests; false when it was already out.
  bool roll_back_canary(CanaryController& canary);
  // An admin's resume: the candidate is back at its configured weight, its windows empty; false
  // when it was not rolled back.
  bool resume_canary(CanaryController& canary);

  // The clock deadlines are counted on.
  Clock::time_point now() const { return timing_.now(); }
  // The whole-request deadline for `model` starting now: the alias' timeout (else the gateway's
  // request_timeout), shortened to `client_timeout` when the client asked for less.
  Clock::time_point deadline_for(std::string_view model,
                                 std::optional<std::chrono::milliseconds> client_timeout) const {
    return deadline_for(model, client_timeout, timing_.now());
  }
  // The same counted from `from`: an upload's, whose body is read within its deadline.
  Clock::time_point deadline_for(std::string_view model,
                                 std::optional<std::chrono::milliseconds> client_timeout,
                                 Clock::time_point from) const;
  // Before the model is known (an upload whose `model` field follows the file): the latest
  // deadline any model may have, the longest alias timeout or request_timeout, shortened to
  // `client_timeout`, counted from `from`.
  Clock::time_point longest_deadline(std::optional<std::chrono::milliseconds> client_timeout,
                                     Clock::time_point from) const;

 private:
  struct RouteContext {
    std::string_view model;
    std::string_view model_label;  // for metrics: `model`, or a bounded stand-in
    std::string_view operation;
    Clock::time_point started;
    const RequestLimits* limits;
    Caller caller;
    long long token_estimate;         // what the call may use, reserved before it; 0 = not limited
    const core::TraceContext* trace;  // the request's; null when none
    const boost::json::object* body;  // the client's request, for span attributes; may be null
    std::optional<Endpoint> endpoint{};  // only deployments whose provider serves it are tried
    std::string_view canary_key{};       // keeps a client on one version of a canaried alias
  };
  struct RouteState;
  // The version of a canaried alias a request goes to; no controller when the alias has none.
  struct CanaryChoice {
    CanaryController* controller = nullptr;
    CanaryVersion version = CanaryVersion::baseline;
  };
  CanaryChoice choose_canary(const RouteContext& context, ChunkSink* sink);
  // Counts the request for its version and hands its sample to the controller.
  void settle_canary(const CanaryChoice& canary, const Route& chain, const RouteState& state,
                     const RouteContext& context, Outcome& outcome);
  void rolled_back(const CanaryController& canary, const CanaryRollback& rollback);
  // `model`, or its degraded alias while degraded mode is on.
  std::string_view served_model(std::string_view model) const;
  RouteContext context_for(std::string_view model, std::string_view operation,
                           const RequestLimits& limits, Caller caller, long long token_estimate,
                           const core::TraceContext* trace, const boost::json::object* body) const {
    return RouteContext{model,  model,          operation, timing_.now(), &limits,
                        caller, token_estimate, trace,     body};
  }
  // One attempt on a deployment; `trace` is the attempt's own context when it is traced (else
  // null: the request's goes upstream).
  using Attempt = std::function<boost::asio::awaitable<AttemptResult>(
      Deployment&, const core::TraceContext* trace)>;
  boost::asio::awaitable<Outcome> route(RouteContext context, Attempt attempt, ChunkSink* sink);

  // How a route ended, and what finish() builds its outcome from.
  enum class RouteEnd {
    rejected,
    unserved,  // no deployment of the model serves the endpoint asked for
    token_limited,
    succeeded,
    stream_broke,
    unavailable,
    failed
  };
  struct RouteState {
    RouteEnd end = RouteEnd::rejected;
    AttemptResult last;
    Deployment* deployment = nullptr;  // the last one tried
    int attempts = 0;
    TokenReservation tokens;
    std::vector<AttemptRecord> tries;
  };
  // Reserves the call's estimated tokens; false when the caller's token limit refuses them.
  bool reserve_tokens(const RouteContext& context, const Route& chain, RouteState& state,
                      ChunkSink* sink);
  // Settles the reservation with what the call used (a failure that used nothing refunds it).
  void settle_tokens(const RouteState& state, Outcome& outcome);
  Outcome token_limited(const RouteState& state, const RouteContext& context) const;
  Outcome finish(const Result<Route>& chain, RouteState& state, const RouteContext& context,
                 const CanaryChoice& canary);

  Outcome succeed(const Deployment& deployment, AttemptResult& result, int attempts,
                  const RouteContext& context);
  Outcome fail(const AttemptResult& last, const Deployment* deployment, int attempts,
               const RouteContext& context);
  Outcome unavailable(const Route& chain, const RouteContext& context);
  // The error a request cut short by its deadline or the drain gets, in place of the last
  // attempt's.
  std::optional<AttemptResult> cut_short(const RouteContext& context) const;
  // Why no further attempt may start: client_gone, shutdown, deadline (passed, whoever cancelled
  // for it), or none.
  core::Cancellation::Reason stop_reason(const RouteContext& context) const;
  bool stopped(const RouteContext& context) const;
  CircuitBreaker::Transition report(Deployment& deployment, core::AttemptOutcome outcome,
                                    Clock::time_point now);
  Rng& rng();
  void record_attempt_span(const RouteContext& context, const Deployment& deployment,
                           const core::TraceContext& attempt_trace, int attempt,
                           std::string_view attempt_kind, Clock::time_point started,
                           Clock::time_point ended, const AttemptResult& result);
  // Counts `usage` in the token and cost metrics; returns its cost.
  double account_usage(const Deployment& deployment, const Usage& usage, const CallLabels& labels);
  // Every finished call of a virtual key, failed ones included (with what they used).
  void record_usage(const RouteContext& context, const Outcome& outcome);

  Catalog& catalog_;
  core::RetryConfig retry_;
  std::chrono::milliseconds request_timeout_;
  std::unordered_map<std::string, std::chrono::milliseconds> alias_timeouts_;
  PriceTable prices_;
  GatewayMetrics& metrics_;
  UsageSink* usage_sink_ = nullptr;
  const BudgetGuard* budget_guard_ = nullptr;
  TokenLimiter* token_limiter_ = nullptr;
  long long default_completion_tokens_ = 0;
  Timing& timing_;
  const ops::DegradedMode* degraded_ = nullptr;
  ops::Tracer* tracer_ = nullptr;
  std::unordered_map<std::string, std::string> degraded_aliases_;
  std::unique_ptr<DecisionRandom> random_;  // null: unseeded
  CanaryRouter canaries_;
};

}  // namespace sluice::gateway
