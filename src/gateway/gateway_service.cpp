#include "gateway/gateway_service.hpp"

#include <algorithm>
#include <random>

#include "gateway/attempt_span.hpp"
#include "gateway/routing/itinerary.hpp"
#include "gateway/routing/retry_policy.hpp"
#include "gateway/token_estimate.hpp"
#include "ops/degraded_mode.hpp"
#include "ops/logger.hpp"
#include "ops/tracer.hpp"

namespace sluice::gateway {
namespace asio = boost::asio;
using core::AttemptOutcome;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

Rng& thread_rng() {
  thread_local Rng rng{std::random_device{}()};
  return rng;
}

int64_t steady_ns(Timing::Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
}

double seconds_between(Timing::Clock::time_point from, Timing::Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

Outcome failure_outcome(const AttemptResult& last, const Deployment* deployment, int attempts) {
  Outcome outcome;
  outcome.last_outcome = last.outcome;
  outcome.error = last.error;
  outcome.error_body = last.upstream_error_body;
  outcome.retry_after = last.retry_after;
  outcome.attempts = attempts;
  if (deployment) {
    outcome.deployment = deployment->id;
    outcome.provider = deployment->provider->name();
  }
  outcome.usage = last.usage;
  outcome.finish_reason = last.finish_reason;
  outcome.upstream_request_id = last.upstream_request_id;
  return outcome;
}

// The completion tokens a chat asks for at most (max_completion_tokens, else the older
// max_tokens); 0 when it sets neither.
bool in_first_alias(const Route& chain, const Deployment* deployment) {
  for (const auto& group : chain[0]->priority_groups)
    for (const AliasMember& member : group)
      if (member.deployment == deployment) return true;
  return false;
}

// The attempt of a traced request, with its own trace context: a copy of the request in the
// frame carries it to the provider.
asio::awaitable<AttemptResult> chat_traced(ChatRequest request, const core::TraceContext* trace,
                                           Deployment& deployment, ChunkSink* sink) {
  request.trace = trace;
  co_return co_await deployment.provider->chat(request, deployment.upstream_model, sink);
}

asio::awaitable<AttemptResult> messages_traced(MessagesRequest request,
                                               const core::TraceContext* trace,
                                               Deployment& deployment, MessagesStreamSink* sink) {
  request.chat.trace = trace;
  co_return co_await deployment.provider->messages(request, deployment.upstream_model, sink);
}

// An attempt on a provider that needs chat, for a Messages request chat cannot express: refused
// before anything is sent, as a translating provider refuses what its upstream cannot take.
asio::awaitable<AttemptResult> untranslatable(const Error& error) {
  co_return AttemptResult::failure(AttemptOutcome::rejected, error);
}

// One attempt of a Messages request, by the deployment's provider: passed through, or translated.
asio::awaitable<AttemptResult> messages_attempt(const MessagesRequest& request,
                                                Deployment& deployment,
                                                const core::TraceContext* trace,
                                                MessagesStreamSink* sink) {
  if (deployment.provider->speaks_messages()) {
    if (trace) return messages_traced(request, trace, deployment, sink);
    return deployment.provider->messages(request, deployment.upstream_model, sink);
  }
  if (!request.chat.body) return untranslatable(request.chat_error);
  if (trace) return chat_traced(request.chat, trace, deployment, sink);
  return deployment.provider->chat(request.chat, deployment.upstream_model, sink);
}

asio::awaitable<AttemptResult> count_tokens_traced(MessagesRequest request,
                                                   const core::TraceContext* trace,
                                                   Deployment& deployment) {
  request.chat.trace = trace;
  co_return co_await deployment.provider->count_tokens(request, deployment.upstream_model);
}

asio::awaitable<AttemptResult> media_traced(MediaRequest request, const core::TraceContext* trace,
                                            Deployment& deployment, MediaSink& sink) {
  request.trace = trace;
  co_return co_await deployment.provider->media(request, deployment.upstream_model, sink);
}

asio::awaitable<AttemptResult> embeddings_traced(EmbeddingsRequest request,
                                                 const core::TraceContext* trace,
                                                 Deployment& deployment) {
  request.trace = trace;
  co_return co_await deployment.provider->embeddings(request, deployment.upstream_model);
}

// One attempt of an endpoint call, with its own trace context when traced (else the request's), its
// answer read by `check`.
asio::awaitable<AttemptResult> endpoint_attempt(EndpointRequest request,
                                                const core::TraceContext* trace,
                                                Deployment& deployment,
                                                const GatewayService::AnswerCheck& check) {
  if (trace) request.trace = trace;
  AttemptResult result = co_await deployment.provider->call(request, deployment.upstream_model);
  if (result.ok() && check)
    if (Status read = check(result.body, result.usage); !read.ok())
      result = AttemptResult::failure(
          AttemptOutcome::protocol,
          make_error(Errc::bad_gateway, "upstream " + deployment.provider->name() + " answered " +
                                            std::string(endpoint_route(request.endpoint)) +
                                            " with something unusable: " + read.error().message));
  co_return result;
}

// What keeps a client on one version of a canaried alias: its x-sluice-canary-key, else the
// chat body's `user` (OpenAI's end-user id), else a Messages body's metadata.user_id (which the
// chat translation carries as `user`, when there is one).
std::string_view canary_key_of(const ChatRequest& request, const boost::json::object* messages) {
  if (!request.canary_key.empty()) return request.canary_key;
  if (request.body)
    if (const auto* user = request.body->if_contains("user"); user && user->is_string())
      return user->get_string();
  if (messages)
    if (const auto* metadata = messages->if_contains("metadata"); metadata && metadata->is_object())
      if (const auto* user = metadata->get_object().if_contains("user_id");
          user && user->is_string())
        return user->get_string();
  return {};
}

// Whether some deployment of `chain` is on a provider that serves `endpoint`.
bool served(const Route& chain, Endpoint endpoint) {
  for (const ModelAlias* alias : chain.aliases())
    for (const auto& group : alias->priority_groups)
      for (const AliasMember& member : group)
        if (member.deployment->provider->serves(endpoint)) return true;
  return false;
}

// Which provider types have `endpoint`, for an error message.
std::string_view who_serves(Endpoint endpoint) {
  if (endpoint == Endpoint::count_tokens)
    return "anthropic-type providers have it; others have not";
  if (is_media(endpoint))
    return "openai-type providers have it; anthropic, azure and mock have not";
  return "openai-type and mock providers have it; anthropic has not";
}

Error unserved_error(std::string_view model, Endpoint endpoint) {
  const std::string route(endpoint_route(endpoint));
  return make_error(Errc::invalid_request,
                    "The model `" + std::string(model) + "` cannot serve " + route +
                        ": none of its deployments is on a provider with that endpoint (" +
                        std::string(who_serves(endpoint)) +
                        "). Name a model or alias routed to such a provider.",
                    "model", "unsupported_endpoint");
}

}  // namespace

GatewayService::GatewayService(Catalog& catalog, const core::GatewayConfig& config,
                               GatewayMetrics& metrics, Timing& timing)
    : catalog_(catalog),
      retry_(config.retry),
      request_timeout_(config.request_timeout),
      prices_(config.prices),
      metrics_(metrics),
      timing_(timing),
      canaries_(config.models) {
  for (const auto& alias : config.models)
    if (alias.timeout.count() > 0) alias_timeouts_[alias.alias] = alias.timeout;
  // Every canary's series from the start, so that rate() and increase() see their first events.
  for (const CanaryController* canary : canaries_.all()) {
    metrics_.canary_weight(canary->alias(), canary->weight());
    metrics_.canary_request(canary->alias(), to_string(CanaryVersion::baseline), 0);
    metrics_.canary_request(canary->alias(), to_string(CanaryVersion::candidate), 0);
    if (canary->rule())
      metrics_.canary_rollback(canary->alias(), to_string(canary->rule()->metric), 0);
    metrics_.canary_rollback(canary->alias(), "manual", 0);
  }
}

Error deadline_exceeded() {
  return make_error(Errc::gateway_timeout,
                    "the request's deadline passed (set by the alias' timeout, "
                    "gateway.request_timeout or the x-sluice-timeout-ms header)",
                    {}, "deadline_exceeded");
}

namespace {

milliseconds shortened(milliseconds timeout, std::optional<milliseconds> client_timeout) {
  if (client_timeout && *client_timeout < timeout) return std::max(*client_timeout, 1ms);
  return timeout;
}

}  // namespace

GatewayService::Clock::time_point GatewayService::deadline_for(
    std::string_view model, std::optional<milliseconds> client_timeout,
    Clock::time_point from) const {
  milliseconds timeout = request_timeout_;
  if (!alias_timeouts_.empty())
    if (auto it = alias_timeouts_.find(std::string(model)); it != alias_timeouts_.end())
      timeout = it->second;
  return from + shortened(timeout, client_timeout);
}

GatewayService::Clock::time_point GatewayService::longest_deadline(
    std::optional<milliseconds> client_timeout, Clock::time_point from) const {
  milliseconds timeout = request_timeout_;
  for (const auto& [alias, alias_timeout] : alias_timeouts_)
    timeout = std::max(timeout, alias_timeout);
  return from + shortened(timeout, client_timeout);
}

Rng& GatewayService::rng() { return random_ ? random_->local() : thread_rng(); }

CircuitBreaker::Transition GatewayService::report(Deployment& deployment, AttemptOutcome outcome,
                                                  Clock::time_point now) {
  const auto transition = deployment.breaker.report(outcome, now);
  if (transition == CircuitBreaker::Transition::none) return transition;
  metrics_.circuit_transition(deployment, transition);
  if (transition == CircuitBreaker::Transition::opened)
    ops::logger().warn("circuit opened: deployment taken out of rotation",
                       {{"deployment", deployment.id}, {"outcome", core::to_string(outcome)}});
  else
    ops::logger().info("circuit closed: deployment back in rotation",
                       {{"deployment", deployment.id}});
  return transition;
}

void GatewayService::record_attempt_span(const RouteContext& context, const Deployment& deployment,
                                         const core::TraceContext& attempt_trace, int attempt,
                                         std::string_view attempt_kind, Clock::time_point started,
                                         Clock::time_point ended, const AttemptResult& result) {
  AttemptSpanInfo info{context.operation, context.model, deployment,
                       attempt,           attempt_kind,  context.body};
  tracer_->record(attempt_span(attempt_trace, info, result, ops::Tracer::unix_nanos(started),
                               ops::Tracer::unix_nanos(ended)));
}

double GatewayService::account_usage(const Deployment& deployment, const Usage& usage,
                                     const CallLabels& labels) {
  const double cost = prices_.cost_usd(deployment.upstream_model, usage);
  // A call whose upstream reported no usage (and none was counted: a media call's) used no known
  // tokens, which is not zero tokens: the histogram leaves it out.
  const bool known =
      usage.reported || usage.estimated || usage.prompt_tokens > 0 || usage.completion_tokens > 0;
  if (known) metrics_.tokens(labels, usage);
  metrics_.cost(deployment.upstream_model, labels, cost);
  return cost;
}

Outcome GatewayService::succeed(const Deployment& deployment, AttemptResult& result, int attempts,
                                const RouteContext& context) {
  Outcome outcome;
  outcome.ok = true;
  outcome.body = std::move(result.body);
  outcome.usage = result.usage;
  outcome.attempts = attempts;
  outcome.deployment = deployment.id;
  outcome.provider = deployment.provider->name();
  outcome.finish_reason = std::move(result.finish_reason);
  outcome.passed_through = result.passed_through;
  outcome.upstream_request_id = std::move(result.upstream_request_id);
  const CallLabels labels{context.operation, outcome.provider, context.model_label,
                          context.caller.key_name};
  metrics_.operation(labels, seconds_between(context.started, timing_.now()), "");
  outcome.cost_usd = account_usage(deployment, result.usage, labels);
  record_usage(context, outcome);
  if (result.first_token_seen) {
    outcome.time_to_first_token = seconds_between(context.started, result.first_token_at);
    metrics_.time_to_first_token(labels, *outcome.time_to_first_token);
  }
  return outcome;
}

Outcome GatewayService::fail(const AttemptResult& last, const Deployment* deployment, int attempts,
                             const RouteContext& context) {
  Outcome outcome = failure_outcome(last, deployment, attempts);
  const CallLabels labels{context.operation, outcome.provider, context.model_label,
                          context.caller.key_name};
  metrics_.operation(labels, seconds_between(context.started, timing_.now()),
                     core::to_string(last.outcome));
  // Tokens a failed stream already delivered were paid for: count them.
  if (deployment && (last.usage.prompt_tokens > 0 || last.usage.completion_tokens > 0))
    outcome.cost_usd = account_usage(*deployment, last.usage, labels);
  if (last.first_token_seen)
    outcome.time_to_first_token = seconds_between(context.started, last.first_token_at);
  record_usage(context, outcome);
  return outcome;
}

// By the model the client asked for. Only calls a deployment took: a name no provider accepts
// never becomes a row.
void GatewayService::record_usage(const RouteContext& context, const Outcome& outcome) {
  if (usage_sink_ && !context.caller.key_id.empty() && !outcome.deployment.empty())
    usage_sink_->record(context.caller.key_id, context.caller.team, context.model, outcome.usage,
                        outcome.cost_usd);
}

Outcome GatewayService::unavailable(const Route& chain, const RouteContext& context) {
  // The client may come back when the first circuit lets a probe through.
  auto soonest = Clock::duration::max();
  const auto now = timing_.now();
  for (const ModelAlias* alias : chain.aliases())
    for (const auto& group : alias->priority_groups)
      for (const AliasMember& member : group)
        soonest = std::min(soonest, member.deployment->breaker.time_until_probe(now));
  AttemptResult none =
      AttemptResult::failure(AttemptOutcome::cancelled,
                             make_error(Errc::unavailable,
                                        "every deployment of model `" + std::string(context.model) +
                                            "` is unavailable (circuit open); try again later",
                                        "model", "deployments_unavailable"));
  if (soonest != Clock::duration::max())
    none.retry_after = std::max(
        milliseconds{1000}, std::chrono::ceil<milliseconds>(soonest));  // whole seconds on the wire
  metrics_.operation({context.operation, "", context.model_label, context.caller.key_name},
                     seconds_between(context.started, now), "circuit_open");
  return failure_outcome(none, nullptr, 0);
}

core::Cancellation::Reason GatewayService::stop_reason(const RouteContext& context) const {
  const RequestLimits& limits = *context.limits;
  if (limits.cancellation && limits.cancellation->cancelled()) {
    const auto reason = limits.cancellation->reason();
    if (reason != core::Cancellation::Reason::none) return reason;
  }
  // What a deadline cancellation also means.
  return timing_.now() >= limits.deadline ? core::Cancellation::Reason::deadline
                                          : core::Cancellation::Reason::none;
}

bool GatewayService::stopped(const RouteContext& context) const {
  return stop_reason(context) != core::Cancellation::Reason::none;
}

std::optional<AttemptResult> GatewayService::cut_short(const RouteContext& context) const {
  switch (stop_reason(context)) {
    case core::Cancellation::Reason::client_gone:
      return AttemptResult::failure(
          AttemptOutcome::client_gone,
          make_error(Errc::invalid_request, "the client closed the connection"));
    case core::Cancellation::Reason::shutdown:
      return AttemptResult::failure(
          AttemptOutcome::cancelled,
          make_error(Errc::unavailable, "the server is shutting down; retry the request", {},
                     "shutting_down"));
    case core::Cancellation::Reason::deadline:
      return AttemptResult::failure(AttemptOutcome::cancelled, deadline_exceeded());
    case core::Cancellation::Reason::none:
      break;
  }
  return std::nullopt;
}

// The coroutine keeps only what must live across its suspensions; building outcomes and
// choosing deployments happen in plain functions, and it has one co_return (GCC gives each
// co_return's temporary Outcome a frame slot of its own), so a long stream holds a small frame.
asio::awaitable<Outcome> GatewayService::route(RouteContext context, Attempt attempt,
                                               ChunkSink* sink) {
  const CanaryChoice canary = choose_canary(context, sink);
  const auto chain = catalog_.resolve(
      canary.version == CanaryVersion::candidate ? canary.controller->candidate() : context.model);
  RouteState state;
  // A name the catalog does not keep is labelled as its provider's wildcard: clients choose
  // model names, and every distinct label would be a metric series kept forever.
  if (chain && chain->transient())
    context.model_label = (*chain)[0]->priority_groups[0][0].deployment->metric_label;
  if (chain && context.endpoint && !served(*chain, *context.endpoint))
    state.end = RouteEnd::unserved;
  if (chain && state.end != RouteEnd::unserved && reserve_tokens(context, *chain, state, sink)) {
    Itinerary itinerary(*chain, retry_.max_attempts, context.endpoint);
    RetryBudget budget(retry_, rng()());
    state.end = RouteEnd::failed;
    const bool traced = tracer_ && context.trace && tracer_->sampled(*context.trace);
    core::TraceContext attempt_trace;
    while (Deployment* deployment = itinerary.next(timing_.now(), rng())) {
      std::string_view attempt_kind = "first";
      // Admitted by a half-open circuit: a probe (the state as next() left it).
      const bool probe =
          deployment->breaker.state(timing_.now()) == CircuitBreaker::State::half_open;
      milliseconds waited{0};
      if (itinerary.attempts() > 1) {
        // Another try after a failure: on a deployment already tried, back off first.
        const auto delay = itinerary.is_retry()
                               ? budget.next_delay(itinerary.attempts() - 1, state.last.retry_after)
                               : std::optional<milliseconds>(0);
        bool go = delay && timing_.now() + *delay < context.limits->deadline;
        // (A statement of its own: GCC 12 mishandles co_await inside && and ?: operands.)
        if (go && delay->count() > 0) go = co_await timing_.sleep(*delay, *context.limits);
        if (!go) {
          deployment->breaker.release();  // admitted by next(), never sent
          itinerary.cancel_last();
          break;
        }
        waited = *delay;
        attempt_kind = in_first_alias(*chain, deployment) ? "retry" : "fallback";
        metrics_.retry(attempt_kind);
      }
      if (sink) sink->on_attempt(deployment->id);
      const auto attempt_started = timing_.now();
      deployment->stats.begin();
      metrics_.in_flight(*deployment, +1);
      if (traced) attempt_trace = ops::Tracer::child_of(*context.trace, true);
      state.last = co_await attempt(*deployment, traced ? &attempt_trace : nullptr);
      metrics_.in_flight(*deployment, -1);
      const auto attempt_done = timing_.now();
      if (traced)
        record_attempt_span(context, *deployment, attempt_trace, itinerary.attempts(), attempt_kind,
                            attempt_started, attempt_done, state.last);
      deployment->stats.end(attempt_done - attempt_started, state.last.ok());
      const auto transition = report(*deployment, state.last.outcome, attempt_done);
      metrics_.upstream_attempt(*deployment, core::to_string(state.last.outcome));
      state.tries.push_back({deployment->id, state.last.outcome, attempt_started - context.started,
                             attempt_done - attempt_started, waited, state.last.retry_after,
                             std::nullopt, probe, transition});
      if (state.last.first_token_seen)
        state.tries.back().first_token = state.last.first_token_at - attempt_started;
      state.deployment = deployment;
      if (state.last.ok()) {
        state.end = RouteEnd::succeeded;
        break;
      }
      if (sink && sink->started()) {  // bytes reached the client: no retry may follow
        state.end = RouteEnd::stream_broke;
        break;
      }
      if (state.last.final_attempt) break;  // what it sent cannot be sent again
      if (!core::is_retriable(state.last.outcome) || stopped(context)) break;
    }
    state.attempts = itinerary.attempts();
    if (state.end == RouteEnd::failed && state.attempts == 0 && itinerary.skipped_open())
      state.end = RouteEnd::unavailable;
  }
  co_return finish(chain, state, context, canary);
}

Outcome GatewayService::finish(const Result<Route>& chain, RouteState& state,
                               const RouteContext& context, const CanaryChoice& canary) {
  Outcome outcome;
  switch (state.end) {
    case RouteEnd::rejected:
      return failure_outcome(AttemptResult::failure(AttemptOutcome::rejected, chain.error()),
                             nullptr, 0);
    case RouteEnd::unserved:
      outcome =
          failure_outcome(AttemptResult::failure(AttemptOutcome::rejected,
                                                 unserved_error(context.model, *context.endpoint)),
                          nullptr, 0);
      outcome.unserved = true;
      return outcome;
    case RouteEnd::token_limited:
      return token_limited(state, context);
    case RouteEnd::succeeded:
      outcome = succeed(*state.deployment, state.last, state.attempts, context);
      break;
    case RouteEnd::unavailable:
      outcome = unavailable(*chain, context);
      break;
    case RouteEnd::stream_broke:
    case RouteEnd::failed:
      if (auto cut = cut_short(context)) state.last.fail_stream(std::move(*cut));
      outcome = fail(state.last, state.deployment, state.attempts, context);
      outcome.stream_started = state.end == RouteEnd::stream_broke;
      break;
  }
  settle_tokens(state, outcome);
  settle_canary(canary, *chain, state, context, outcome);
  outcome.tries = std::move(state.tries);
  return outcome;
}

GatewayService::CanaryChoice GatewayService::choose_canary(const RouteContext& context,
                                                           ChunkSink* sink) {
  if (canaries_.empty() || context.operation != "chat") return {};
  CanaryController* controller = canaries_.find(context.model);
  if (!controller) return {};
  const CanaryChoice choice{controller, controller->pick(context.canary_key, rng())};
  if (sink) sink->on_canary(to_string(choice.version));
  return choice;
}

void GatewayService::settle_canary(const CanaryChoice& canary, const Route& chain,
                                   const RouteState& state, const RouteContext& context,
                                   Outcome& outcome) {
  if (!canary.controller) return;
  CanaryController& controller = *canary.controller;
  outcome.canary = to_string(canary.version);
  metrics_.canary_request(controller.alias(), outcome.canary);
  // A request its client cut short (gone, or its own shorter deadline) or the drain ended says
  // nothing about the version.
  if (!outcome.ok) {
    const auto reason = stop_reason(context);
    if (reason == core::Cancellation::Reason::client_gone ||
        reason == core::Cancellation::Reason::shutdown ||
        (reason == core::Cancellation::Reason::deadline && context.limits->deadline_from_client) ||
        outcome.last_outcome == AttemptOutcome::client_gone)
      return;
  }
  const auto now = timing_.now();
  CanarySample sample;
  // Answered by a fallback alias is not answered by the version.
  sample.failed = !outcome.ok || !in_first_alias(chain, state.deployment);
  sample.latency = seconds_between(context.started, now);
  sample.ttft = outcome.time_to_first_token;
  if (const auto rollback = controller.record(canary.version, sample, now))
    rolled_back(controller, *rollback);
}

void GatewayService::rolled_back(const CanaryController& canary, const CanaryRollback& rollback) {
  metrics_.canary_rollback(canary.alias(), rollback.reason);
  metrics_.canary_weight(canary.alias(), 0);
  const CanaryRule* rule = canary.rule() ? &*canary.rule() : nullptr;
  if (rollback.reason == "manual" || !rule) {
    ops::logger().warn("canary rolled back by an admin: the candidate gets no more requests",
                       {{"alias", canary.alias()}, {"candidate", canary.candidate()}});
    return;
  }
  // The baseline's value is logged as -1 when it had too few requests to compare with.
  ops::logger().warn(
      "canary rolled back: the candidate broke its rollback rule and gets no more requests",
      {{"alias", canary.alias()},
       {"candidate", canary.candidate()},
       {"reason", rollback.reason},
       {"value", rollback.candidate_value.value_or(0)},
       {"threshold", rule->threshold},
       {"baseline_value", rollback.baseline_value.value_or(-1)},
       {"window_s", std::chrono::duration<double>(rule->window).count()},
       {"min_requests", static_cast<long long>(rule->min_requests)}});
}

std::vector<CanaryStatus> GatewayService::canary_statuses() {
  std::vector<CanaryStatus> out;
  const auto now = timing_.now();
  for (CanaryController* canary : canaries_.all()) out.push_back(canary->status(now));
  return out;
}

bool GatewayService::roll_back_canary(CanaryController& canary) {
  const auto rollback = canary.roll_back(timing_.now());
  if (!rollback) return false;
  rolled_back(canary, *rollback);
  return true;
}

bool GatewayService::resume_canary(CanaryController& canary) {
  if (!canary.resume()) return false;
  metrics_.canary_weight(canary.alias(), canary.weight());
  ops::logger().info(
      "canary resumed: the candidate serves its configured share again",
      {{"alias", canary.alias()}, {"candidate", canary.candidate()}, {"weight", canary.weight()}});
  return true;
}

bool GatewayService::reserve_tokens(const RouteContext& context, const Route& chain,
                                    RouteState& state, ChunkSink* sink) {
  if (!token_limiter_ || context.token_estimate <= 0) return true;
  // Limited per upstream model, the one the alias tries first: an alias and the provider/model
  // name it routes to (or another alias of it) share one limit, whichever name a client sends.
  const auto& first = chain[0]->priority_groups;
  const std::string_view limited =
      first.empty() || first[0].empty() ? context.model : first[0][0].deployment->id;
  state.tokens = token_limiter_->reserve(context.caller, limited, context.token_estimate,
                                         steady_ns(context.started));
  if (sink && state.tokens.report.limit > 0) sink->on_token_limit(state.tokens.report);
  if (state.tokens.admitted) return true;
  state.end = RouteEnd::token_limited;
  return false;
}

void GatewayService::settle_tokens(const RouteState& state, Outcome& outcome) {
  if (state.tokens.bucket == 0) return;
  outcome.token_limit = state.tokens.report;
  // What the upstream reported (or we counted) for a call that got that far; nothing otherwise.
  token_limiter_->settle(state.tokens,
                         outcome.usage.prompt_tokens + outcome.usage.completion_tokens,
                         steady_ns(timing_.now()));
}

Outcome GatewayService::token_limited(const RouteState& state, const RouteContext& context) const {
  const TokenReservation& tokens = state.tokens;
  const auto retry_after =
      std::chrono::ceil<milliseconds>(std::chrono::nanoseconds(tokens.retry_after_ns));
  std::string message = "Rate limit reached for model `" + std::string(context.model) +
                        "` on tokens per minute: limit " + std::to_string(tokens.per_minute) +
                        ", requested " + std::to_string(context.token_estimate) +
                        ". Please try again in " + std::to_string(retry_after.count()) + "ms.";
  Outcome outcome = failure_outcome(
      AttemptResult::failure(
          AttemptOutcome::rejected,
          make_error(Errc::rate_limited, std::move(message), {}, "rate_limit_exceeded")),
      nullptr, 0);
  outcome.retry_after = retry_after;
  outcome.token_limit = tokens.report;
  return outcome;
}

void GatewayService::set_degraded_aliases(const ops::DegradedMode* mode,
                                          const std::vector<core::DegradedAliasConfig>& aliases) {
  degraded_ = mode;
  degraded_aliases_.clear();
  for (const core::DegradedAliasConfig& a : aliases) degraded_aliases_.emplace(a.model, a.use);
}

std::string_view GatewayService::served_model(std::string_view model) const {
  if (degraded_aliases_.empty() || !degraded_->on()) return model;
  const auto it = degraded_aliases_.find(std::string(model));
  return it == degraded_aliases_.end() ? model : std::string_view(it->second);
}

// Not coroutines themselves: one frame less per request, which for a stream is held to its end.
asio::awaitable<Outcome> GatewayService::chat(const ChatRequest& request, ChunkSink* sink,
                                              Caller caller) {
  ChunkSink* stream_sink = request.stream ? sink : nullptr;
  // About 4 bytes per token of the whole body (a bound on the prompt), plus the answer's limit.
  long long estimate = 0;
  if (token_limiter_) {
    const long long completion = requested_completion_tokens(request.body);
    estimate = estimate_tokens_from_bytes(request.raw_body.size()) +
               (completion > 0 ? completion : default_completion_tokens_);
  }
  RouteContext context = context_for(served_model(request.model), "chat", request.limits, caller,
                                     estimate, request.trace, request.body);
  if (!canaries_.empty()) context.canary_key = canary_key_of(request, nullptr);
  return route(
      context,
      [&request, stream_sink](Deployment& d, const core::TraceContext* trace) {
        if (trace) return chat_traced(request, trace, d, stream_sink);
        return d.provider->chat(request, d.upstream_model, stream_sink);
      },
      stream_sink);
}

asio::awaitable<Outcome> GatewayService::messages(const MessagesRequest& request,
                                                  MessagesStreamSink* sink, Caller caller) {
  const ChatRequest& chat = request.chat;
  MessagesStreamSink* stream_sink = chat.stream ? sink : nullptr;
  // As chat() estimates, from the client's own body: its max_tokens is the answer's limit.
  long long estimate = 0;
  if (token_limiter_) {
    const long long completion = requested_completion_tokens(request.body);
    estimate = estimate_tokens_from_bytes(request.raw_body.size()) +
               (completion > 0 ? completion : default_completion_tokens_);
  }
  RouteContext context = context_for(served_model(chat.model), "chat", chat.limits, caller,
                                     estimate, chat.trace, request.body);
  if (!canaries_.empty()) context.canary_key = canary_key_of(chat, request.body);
  return route(
      context,
      [&request, stream_sink](Deployment& d, const core::TraceContext* trace) {
        return messages_attempt(request, d, trace, stream_sink);
      },
      stream_sink);
}

asio::awaitable<Outcome> GatewayService::count_tokens(const MessagesRequest& request,
                                                      Caller caller) {
  const ChatRequest& chat = request.chat;
  RouteContext context = context_for(served_model(chat.model), "count_tokens", chat.limits, caller,
                                     0, chat.trace, request.body);
  context.endpoint = Endpoint::count_tokens;
  return route(
      context,
      [&request](Deployment& d, const core::TraceContext* trace) {
        if (trace) return count_tokens_traced(request, trace, d);
        return d.provider->count_tokens(request, d.upstream_model);
      },
      nullptr);
}

asio::awaitable<Outcome> GatewayService::embeddings(const EmbeddingsRequest& request,
                                                    Caller caller) {
  return route(
      context_for(request.model, "embeddings", request.limits, caller,
                  token_limiter_ ? estimate_tokens_from_bytes(request.raw_body.size()) : 0,
                  request.trace, request.body),
      [&request](Deployment& d, const core::TraceContext* trace) {
        if (trace) return embeddings_traced(request, trace, d);
        return d.provider->embeddings(request, d.upstream_model);
      },
      nullptr);
}

asio::awaitable<Outcome> GatewayService::call(const EndpointRequest& request, Caller caller,
                                              AnswerCheck check) {
  RouteContext context =
      context_for(request.model, endpoint_route(request.endpoint).substr(4), request.limits, caller,
                  token_limiter_ ? estimate_tokens_from_bytes(request.raw_body.size()) : 0,
                  request.trace, request.body);
  context.endpoint = request.endpoint;
  // The check travels in the attempt function, which route() holds until its last attempt ends.
  return route(
      context,
      [&request, check = std::move(check)](Deployment& d, const core::TraceContext* trace) {
        return endpoint_attempt(request, trace, d, check);
      },
      nullptr);
}

asio::awaitable<Outcome> GatewayService::media(const MediaRequest& request, MediaSink& sink,
                                               Caller caller) {
  RouteContext context =
      context_for(request.model, endpoint_route(request.endpoint).substr(4), request.limits, caller,
                  token_limiter_ ? 1 : 0, request.trace, request.body);
  context.endpoint = request.endpoint;
  return route(
      context,
      [&request, &sink](Deployment& d, const core::TraceContext* trace) {
        sink.on_attempt(d.id);
        if (trace) return media_traced(request, trace, d, sink);
        return d.provider->media(request, d.upstream_model, sink);
      },
      nullptr);
}

}  // namespace sluice::gateway
