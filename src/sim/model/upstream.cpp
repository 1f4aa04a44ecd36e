#include "sim/model/upstream.hpp"

#include <algorithm>
#include <cmath>

#include "sim/model/outage.hpp"
#include "sim/scenario/distribution_spec.hpp"

namespace sluice::sim {
namespace asio = boost::asio;
using core::AttemptOutcome;
using gateway::AttemptResult;

namespace {

Clock::duration from_seconds(double seconds) {
  return std::chrono::round<Clock::duration>(std::chrono::duration<double>(seconds));
}

// What a stream's chunks carry is never read by the simulation: only their timing matters.
constexpr std::string_view kFirstChunk = R"({"object":"chat.completion.chunk"})";
constexpr std::string_view kLastChunk =
    R"({"object":"chat.completion.chunk","choices":[{"finish_reason":"stop"}]})";

}  // namespace

// Holds one of the upstream's concurrency places for an attempt, whatever way it ends.
class Upstream::Slot {
 public:
  explicit Slot(Upstream& upstream) : upstream_(upstream) {}
  ~Slot() {
    if (held) upstream_.release();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  // Gives the place back now (the upstream is done; its answer is still on the way).
  void release() {
    if (held) upstream_.release();
    held = false;
  }
  bool held = false;

 private:
  Upstream& upstream_;
};

Upstream::Upstream(Engine& engine, const UpstreamConfig& config,
                   const core::ProviderConfig& timeouts, const TopologyConfig& topology,
                   std::uint64_t seed)
    : engine_(engine),
      provider_(config.provider),
      ttft_(to_distribution(config.ttft)),
      per_token_(to_distribution(config.per_token)),
      error_latency_(to_distribution(config.error_latency)),
      concurrency_(config.concurrency),
      rate_per_second_(config.rate_limit.requests_per_second),
      burst_(config.rate_limit.burst > 0 ? config.rate_limit.burst
                                         : std::max(1.0, config.rate_limit.requests_per_second)),
      retry_after_(config.rate_limit.retry_after),
      error_rate_(config.error_rate),
      reset_rate_(config.reset_rate),
      outages_(config.outages),
      first_byte_timeout_(timeouts.first_byte_timeout),
      idle_timeout_(timeouts.idle_timeout),
      total_timeout_(timeouts.total_timeout),
      random_(seed),
      tokens_(burst_) {
  if (config.region.empty()) return;
  // Each region's replicas reach it over their own stream of the pair's network.
  for (const RegionConfig& from : topology.regions)
    links_.emplace_back(topology, from.name, config.region,
                        derive_seed(seed, "region:link:" + from.name + ">" + config.region));
}

asio::awaitable<void> Upstream::wait_until(Time at) {
  Alarm alarm(engine_);
  co_await alarm.wait_until(at);
}

bool Upstream::take_rate_token(Time now) {
  const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_per_second_);
  refilled_at_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

AttemptResult Upstream::failure(AttemptOutcome outcome) const {
  switch (outcome) {
    case AttemptOutcome::rate_limited: {
      AttemptResult result = AttemptResult::failure(
          outcome, make_error(Errc::rate_limited, "upstream " + provider_ + " answered 429"));
      result.retry_after = retry_after_;
      return result;
    }
    case AttemptOutcome::reset:
      return AttemptResult::failure(
          outcome, make_error(Errc::bad_gateway, "connection to " + provider_ + " reset"));
    case AttemptOutcome::connect:
      return AttemptResult::failure(
          outcome, make_error(Errc::bad_gateway, "cannot connect to " + provider_));
    default:
      return AttemptResult::failure(
          AttemptOutcome::upstream_5xx,
          make_error(Errc::unavailable, "upstream " + provider_ + " answered 503"));
  }
}

// As the HTTP client's timer: the upstream's timeout, unless the request's deadline fired and
// the client chose it (then the attempt was cancelled, not the upstream's fault).
AttemptResult Upstream::timed_out(const gateway::RequestLimits& limits) const {
  const bool client_deadline = engine_.now() >= limits.deadline && limits.deadline_from_client;
  return AttemptResult::failure(
      client_deadline ? AttemptOutcome::cancelled : AttemptOutcome::timeout,
      make_error(Errc::gateway_timeout,
                 "upstream " + provider_ + " sent no response within the first-byte timeout"));
}

asio::awaitable<AttemptResult> Upstream::fail_after_latency(AttemptOutcome outcome, Time give_up,
                                                            const gateway::RequestLimits& limits,
                                                            Clock::duration back) {
  const Time at = engine_.now() + from_seconds(error_latency_.sample(random_));
  if (at > give_up) {
    co_await wait_until(give_up + back);
    co_return timed_out(limits);
  }
  co_await wait_until(at + back);
  co_return failure(outcome);
}

asio::awaitable<bool> Upstream::acquire(Time give_up) {
  if (in_flight_ < concurrency_ && queue_.empty()) {
    ++in_flight_;
    co_return true;
  }
  Waiter waiter(engine_);
  queue_.push_back(&waiter);
  co_await waiter.alarm.wait_until(give_up);
  // A release may have handed the place over at the very time the wait ran out: it is taken.
  if (waiter.granted) co_return true;
  std::erase(queue_, &waiter);
  co_return false;
}

void Upstream::release() {
  if (!queue_.empty()) {  // the place passes to the longest waiter
    Waiter* next = queue_.front();
    queue_.pop_front();
    next->granted = true;
    next->alarm.cancel();
    return;
  }
  --in_flight_;
}

// As the log says: the failure arrives, or the answer is complete, `duration` after the attempt
// was sent (a stream's first chunk at its logged first token). The provider's first-byte and
// total timeouts and the request's deadline still apply, as the HTTP client applies them (a
// what-if run may shorten them). An attempt the log shows without an answer (a timeout; one its
// request ended: cancelled, client_gone) is silence until they end it.
asio::awaitable<AttemptResult> Upstream::replayed_attempt(const ReplayedAnswer& answer,
                                                          const RequestPlan& plan,
                                                          gateway::RequestLimits limits,
                                                          gateway::ChunkSink* sink) {
  const Time sent = engine_.now();
  const Time exchange_ends = std::min(sent + total_timeout_, limits.deadline);
  const Time first_byte_by = std::min(sent + first_byte_timeout_, exchange_ends);
  const AttemptOutcome outcome = answer.outcome;
  if (outcome == AttemptOutcome::timeout || outcome == AttemptOutcome::cancelled ||
      outcome == AttemptOutcome::client_gone) {
    co_await wait_until(first_byte_by);
    co_return timed_out(limits);
  }
  const Time done = sent + from_seconds(answer.duration);
  const bool logged_first_token = sink != nullptr && answer.first_token >= 0;
  const Time first_token = logged_first_token ? sent + from_seconds(answer.first_token) : done;
  if (first_token > first_byte_by) {  // a stream's first token, else the whole answer or failure
    co_await wait_until(first_byte_by);
    co_return timed_out(limits);
  }
  AttemptResult result;
  result.usage.prompt_tokens = plan.prompt_tokens;
  result.usage.reported = true;
  // A stream's first chunk: an answer's, or one the log shows before the stream failed.
  const bool streaming =
      sink != nullptr && (logged_first_token || outcome == AttemptOutcome::success);
  if (streaming) {
    co_await wait_until(first_token);
    result.first_token_seen = true;
    result.first_token_at = engine_.now();
    const bool delivered = co_await sink->send(kFirstChunk);
    if (!delivered) {
      result.usage.completion_tokens = 1;
      result.fail_stream(AttemptResult::failure(
          AttemptOutcome::client_gone,
          make_error(Errc::invalid_request, "client disconnected mid-stream")));
      co_return result;
    }
  }
  const Time stop = std::min(done, exchange_ends);
  co_await wait_until(stop);
  if (stop < done || outcome != AttemptOutcome::success) {
    AttemptResult failed = stop < done ? timed_out(limits) : replayed_failure(answer);
    if (!streaming) co_return failed;
    result.usage.completion_tokens = 1;  // the first chunk's
    result.usage.estimated = true;
    result.fail_stream(std::move(failed));
    co_return result;
  }
  result.usage.completion_tokens = std::max<long long>(1, plan.completion_tokens);
  result.finish_reason = "stop";
  if (streaming)
    co_await sink->send(kLastChunk);
  else
    result.body = "{}";
  co_return result;
}

AttemptResult Upstream::replayed_failure(const ReplayedAnswer& answer) const {
  const AttemptOutcome outcome = answer.outcome;
  AttemptResult result =
      outcome == AttemptOutcome::rate_limited || outcome == AttemptOutcome::reset ||
              outcome == AttemptOutcome::connect || outcome == AttemptOutcome::upstream_5xx
          ? failure(outcome)
          : AttemptResult::failure(
                outcome,
                make_error(outcome == AttemptOutcome::upstream_4xx ? Errc::invalid_request
                                                                   : Errc::bad_gateway,
                           "upstream " + provider_ + " answered as the replayed log says (" +
                               std::string(core::to_string(outcome)) + ")"));
  result.retry_after.reset();
  if (answer.retry_after_ms >= 0)
    result.retry_after = std::chrono::milliseconds(answer.retry_after_ms);
  return result;
}

asio::awaitable<AttemptResult> Upstream::attempt(const RequestPlan& plan,
                                                 gateway::RequestLimits limits,
                                                 gateway::ChunkSink* sink,
                                                 std::optional<std::size_t> from_region) {
  // A replayed answer's logged times were measured at the gateway: they hold the network.
  if (next_replayed_ < replayed_.size())
    co_return co_await replayed_attempt(replayed_[next_replayed_++], plan, limits, sink);
  const Time sent = engine_.now();
  // The HTTP client's deadlines: the exchange's (total timeout or the request's deadline) and
  // the first byte's within it.
  const Time exchange_ends = std::min(sent + total_timeout_, limits.deadline);
  const Time first_byte_by = std::min(sent + first_byte_timeout_, exchange_ends);

  // Placed in another region, the upstream gets the attempt `out` after it was sent, and all it
  // sends reaches the gateway `back` later. From its arrival on, times below are the upstream's:
  // the gateway's deadlines move `back` earlier (answer_by, answer_ends), and what the gateway
  // sees happens at the upstream's time + back, when its timers see it.
  const RegionLink::Trip network = from_region && *from_region < links_.size()
                                       ? links_[*from_region].sample()
                                       : RegionLink::Trip{};
  const Clock::duration back = from_seconds(network.back);
  if (network.out > 0 || network.back > 0) {
    const Time arrives = sent + from_seconds(network.out);
    if (arrives + back > first_byte_by) {  // no answer could be back in time
      co_await wait_until(first_byte_by);
      co_return timed_out(limits);
    }
    co_await wait_until(arrives);
  }
  const Time arrived = engine_.now();
  const Time answer_by = first_byte_by - back;
  const Time answer_ends = exchange_ends - back;

  const OutageConfig* outage = outage_met(outages_, seconds_since_start(arrived), random_);
  if (outage) {
    if (outage->fail_with == "connect") {
      if (back > Clock::duration::zero()) co_await wait_until(arrived + back);
      co_return failure(AttemptOutcome::connect);
    }
    if (outage->fail_with == "timeout") {
      co_await wait_until(first_byte_by);
      co_return timed_out(limits);
    }
    const AttemptOutcome outcome = outage->fail_with == "429"     ? AttemptOutcome::rate_limited
                                   : outage->fail_with == "reset" ? AttemptOutcome::reset
                                                                  : AttemptOutcome::upstream_5xx;
    co_return co_await fail_after_latency(outcome, answer_by, limits, back);
  }
  if (rate_per_second_ > 0 && !take_rate_token(arrived))
    co_return co_await fail_after_latency(AttemptOutcome::rate_limited, answer_by, limits, back);

  Slot slot(*this);
  if (concurrency_ > 0) {
    const bool placed = co_await acquire(answer_by);
    if (!placed) {
      if (back > Clock::duration::zero()) co_await wait_until(first_byte_by);
      co_return timed_out(limits);
    }
  } else {
    ++in_flight_;
  }
  slot.held = true;

  const double fault = random_.uniform();
  if (fault < error_rate_)
    co_return co_await fail_after_latency(AttemptOutcome::upstream_5xx, answer_by, limits, back);
  const Time started = engine_.now();
  const double per_token = per_token_.sample(random_);
  const long long tokens = std::max<long long>(1, plan.completion_tokens);
  const Time first_token = started + from_seconds(ttft_.sample(random_));
  const Time done = first_token + from_seconds(per_token * static_cast<double>(tokens - 1));
  // A reset strikes at a uniform point of the answer's time.
  const Time reset_at =
      fault < error_rate_ + reset_rate_
          ? started + from_seconds(random_.uniform() *
                                   std::chrono::duration<double>(done - started).count())
          : Time::max();
  // A non-streamed answer's first byte comes when it is complete: upstreams send its head then.
  const bool streamed = sink != nullptr;
  const Time first_byte = streamed ? first_token : done;
  if (reset_at < first_byte && reset_at <= answer_by) {
    co_await wait_until(reset_at + back);
    co_return failure(AttemptOutcome::reset);
  }
  if (first_byte > answer_by) {
    co_await wait_until(first_byte_by);
    co_return timed_out(limits);
  }

  AttemptResult result;
  result.usage.prompt_tokens = plan.prompt_tokens;
  result.usage.reported = true;
  if (!streamed) {
    if (back > Clock::duration::zero()) {  // done here; the answer is on its way
      co_await wait_until(done);
      slot.release();
    }
    co_await wait_until(done + back);
    result.usage.completion_tokens = tokens;
    result.body = "{}";
    result.finish_reason = "stop";
    co_return result;
  }

  co_await wait_until(first_token + back);
  result.first_token_seen = true;
  result.first_token_at = engine_.now();
  const bool first_delivered = co_await sink->send(kFirstChunk);
  if (!first_delivered) {
    result.usage.completion_tokens = 1;
    result.fail_stream(AttemptResult::failure(
        AttemptOutcome::client_gone,
        make_error(Errc::invalid_request, "client disconnected mid-stream")));
    co_return result;
  }
  // Then the stream ends, or breaks: a reset, a gap longer than the idle timeout, or the
  // exchange's deadline.
  const Time idle_break = tokens > 1 && from_seconds(per_token) > idle_timeout_
                              ? first_token + idle_timeout_
                              : Time::max();
  const Time stop = std::min({done, reset_at, idle_break, answer_ends});
  if (back > Clock::duration::zero()) {
    co_await wait_until(stop);
    slot.release();
  }
  co_await wait_until(stop + back);
  if (stop == done) {
    co_await sink->send(kLastChunk);
    result.usage.completion_tokens = tokens;
    result.finish_reason = "stop";
    co_return result;
  }
  const double streamed_for = std::chrono::duration<double>(stop - first_token).count();
  result.usage.completion_tokens =
      per_token > 0
          ? std::min<long long>(tokens - 1, 1 + static_cast<long long>(streamed_for / per_token))
          : 1;
  result.usage.estimated = true;
  result.fail_stream(stop == reset_at ? failure(AttemptOutcome::reset) : timed_out(limits));
  co_return result;
}

}  // namespace sluice::sim
