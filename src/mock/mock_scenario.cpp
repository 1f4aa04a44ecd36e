#include "mock/mock_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/model/outage.hpp"
#include "sim/scenario/distribution_spec.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sluice::mock {
namespace {

// The line's length is bounded by the gateway's own bounds (its connections and timeouts); this
// only keeps a runaway client from growing it without end.
constexpr std::size_t kMaxLine = 1 << 20;

// The token bucket of rate_limit as GCRA states it: one token earned every 1/rps, at most
// `burst` held (full at the start). The same decisions as the simulator's bucket.
auth::Rate bucket_rate(const sim::RateLimitConfig& limit) {
  auth::Rate rate;
  if (!(limit.requests_per_second > 0)) return rate;
  const double burst = limit.burst > 0 ? limit.burst : std::max(1.0, limit.requests_per_second);
  rate.limit = 1;
  rate.burst = static_cast<std::int64_t>(std::ceil(burst));
  rate.emission_ns = std::max<std::int64_t>(1, std::llround(1e9 / limit.requests_per_second));
  rate.tolerance_ns = std::llround(burst * static_cast<double>(rate.emission_ns));
  return rate;
}

}  // namespace

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ScenarioUpstream::ScenarioUpstream(const sim::UpstreamConfig& config, std::uint64_t seed)
    : ttft_(sim::to_distribution(config.ttft)),
      per_token_(sim::to_distribution(config.per_token)),
      error_latency_(sim::to_distribution(config.error_latency)),
      error_rate_(config.error_rate),
      reset_rate_(config.reset_rate),
      outages_(config.outages),
      rate_limited_(config.rate_limit.requests_per_second > 0),
      rate_(bucket_rate(config.rate_limit)),
      retry_after_(config.rate_limit.retry_after),
      random_(seed) {
  if (config.concurrency > 0)
    line_ = std::make_unique<ops::AdmissionGate>(static_cast<std::size_t>(config.concurrency),
                                                 kMaxLine);
}

Nanos ScenarioUpstream::draw_time(const sim::Distribution& d) {
  const double seconds = std::max(0.0, d.sample(random_));
  return std::chrono::round<Nanos>(std::chrono::duration<double>(seconds));
}

ArrivalVerdict ScenarioUpstream::on_arrival(double since_start, std::int64_t now_ns) {
  using Kind = ArrivalVerdict::Kind;
  const std::lock_guard lock(mutex_);
  if (const sim::OutageConfig* outage = sim::outage_met(outages_, since_start, random_)) {
    if (outage->fail_with == "connect") return {Kind::connect, Nanos(0)};
    if (outage->fail_with == "timeout") return {Kind::no_answer, Nanos(0)};
    const Kind kind = outage->fail_with == "429"     ? Kind::rate_limited
                      : outage->fail_with == "reset" ? Kind::reset
                                                     : Kind::upstream_5xx;
    return {kind, draw_time(error_latency_)};
  }
  if (rate_limited_) {
    const auth::GcraDecision decision = auth::gcra_decide(tat_ns_, now_ns, 1, rate_);
    if (!decision.allowed) return {Kind::rate_limited, draw_time(error_latency_)};
    tat_ns_ = decision.tat_ns;
  }
  return {};
}

ServicePlan ScenarioUpstream::on_service(long long tokens) {
  const std::lock_guard lock(mutex_);
  ServicePlan plan;
  plan.tokens = std::max(1LL, tokens);
  // The simulator's order of draws: the fault, the decode speed, the first token, the reset point.
  const double fault = random_.uniform();
  if (fault < error_rate_) {
    plan.error = true;
    plan.error_after = draw_time(error_latency_);
    return plan;
  }
  plan.per_token = draw_time(per_token_);
  plan.ttft = draw_time(ttft_);
  if (fault < error_rate_ + reset_rate_)
    plan.reset_at =
        std::chrono::round<Nanos>(random_.uniform() * std::chrono::duration<double>(plan.done()));
  return plan;
}

void ScenarioUpstream::restart() {
  const std::lock_guard lock(mutex_);
  tat_ns_ = 0;
}

Result<std::unique_ptr<ScenarioPlayer>> ScenarioPlayer::load(
    const std::string& file, const std::string& provider,
    const std::map<std::string, std::string>& env, const std::string& seed) {
  sim::ScenarioFlags flags;
  if (!seed.empty()) flags.seed = seed;
  auto scenario = sim::load_scenario(file, flags, env);
  if (!scenario) {
    std::string message = "scenario " + file + ":";
    for (const core::ConfigError& e : scenario.error()) message += "\n  " + core::to_string(e);
    return make_error(Errc::invalid_request, std::move(message), "--scenario");
  }
  if (std::none_of(scenario->providers.begin(), scenario->providers.end(),
                   [&](const sim::UpstreamConfig& u) { return u.provider == provider; }))
    return make_error(
        Errc::invalid_request,
        "scenario " + file + " has no providers entry for provider '" + provider + "'",
        "--scenario-provider");
  return std::make_unique<ScenarioPlayer>(*scenario, provider);
}

ScenarioPlayer::ScenarioPlayer(const sim::ScenarioConfig& scenario, const std::string& provider)
    : provider_(provider), start_ns_(steady_now_ns()) {
  const auto seed = static_cast<std::uint64_t>(scenario.seed);
  for (const sim::UpstreamConfig& config : scenario.providers) {
    if (config.provider != provider) continue;
    configs_.push_back(config);
    upstreams_.push_back(std::make_unique<ScenarioUpstream>(
        config, sim::derive_seed(seed, "mock-upstream:" + config.provider + "/" + config.model)));
  }
}

ScenarioUpstream* ScenarioPlayer::upstream_for(std::string_view model) {
  const sim::UpstreamConfig* config = sim::upstream_for(configs_, provider_, std::string(model));
  if (!config) return nullptr;
  return upstreams_[static_cast<std::size_t>(config - configs_.data())].get();
}

double ScenarioPlayer::since_start() const {
  return static_cast<double>(steady_now_ns() - start_ns_.load(std::memory_order_relaxed)) / 1e9;
}

void ScenarioPlayer::restart() {
  start_ns_.store(steady_now_ns(), std::memory_order_relaxed);
  for (auto& upstream : upstreams_) upstream->restart();
}

}  // namespace sluice::mock
