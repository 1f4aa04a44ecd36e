#include "sim/model/replica.hpp"

#include <stdexcept>

#include "api/gateway_outcome.hpp"
#include "ops/admission_sequence.hpp"
#include "sim/model/key_book.hpp"
#include "sim/model/replica_protection.hpp"
#include "sim/scenario/region_topology.hpp"

namespace sluice::sim {
namespace asio = boost::asio;
using Verdict = ops::AdmissionGate::Verdict;

namespace {

// The client's side of a stream: when its first chunk arrived.
class ClientStream final : public gateway::ChunkSink {
 public:
  explicit ClientStream(const Engine& engine) : engine_(engine) {}
  void on_attempt(std::string_view) override {}
  asio::awaitable<bool> send(std::string_view) override {
    if (chunks_++ == 0) first_chunk = engine_.now();
    co_return true;
  }
  bool started() const override { return chunks_ > 0; }

  std::optional<Time> first_chunk;

 private:
  const Engine& engine_;
  int chunks_ = 0;
};

double seconds_between(Time from, Time to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

Replica::Replica(Engine& engine, const ScenarioConfig& scenario, const UpstreamSet& upstreams,
                 PlanBoard& plans, gateway::Timing& timing, std::size_t index, std::uint64_t seed,
                 KeyBook* keys)
    : engine_(engine),
      plans_(plans),
      index_(index),
      keys_(keys),
      max_wait_(scenario.admission.max_wait) {
  // The production catalog builder, with simulated providers from its factory (placed in this
  // replica's region, for upstreams placed in regions).
  const std::optional<std::size_t> region = region_of_replica(scenario.topology, index);
  auto catalog = gateway::Catalog::build(scenario.gateway, [&](const core::ProviderConfig& config) {
    return Result<std::unique_ptr<gateway::Provider>>(
        std::make_unique<SimulatedProvider>(config.name, upstreams, plans, region));
  });
  if (!catalog) throw std::runtime_error("catalog: " + catalog.error().message);
  catalog_ = std::move(*catalog);
  // On the virtual clock: sluice_circuit_state reads the breakers' cooldowns in simulated time.
  metrics_ = std::make_unique<gateway::GatewayMetrics>(registry_, *catalog_, &timing);
  service_ =
      std::make_unique<gateway::GatewayService>(*catalog_, scenario.gateway, *metrics_, timing);
  // As serve seeds it: gateway.random_seed when the scenario's gateway section sets one (each
  // replica then decides as a one-loop server with that seed would), else the replica's own.
  const long long configured = scenario.gateway.random_seed;
  service_->set_random_seed(configured != core::GatewayConfig::kNoRandomSeed
                                ? static_cast<std::uint64_t>(configured)
                                : seed);
  if (keys_) {
    protection_ = std::make_unique<ReplicaProtection>(engine_, scenario, *keys_, registry_);
    protection_->attach(*service_);
  }
  const core::AdmissionConfig& admission = scenario.admission;
  for (std::size_t i = 0; i < admission.routes.size(); ++i) {
    const core::RouteAdmissionConfig& route = admission.routes[i];
    if (route.route != kRoute) continue;
    gates_[0] = std::make_unique<ops::AdmissionGate>(
        static_cast<std::size_t>(route.max_concurrency), static_cast<std::size_t>(route.max_queue));
    gate_keys_[0] = ops::route_gate_key(i);
  }
  if (admission.max_concurrency > 0) {
    gates_[1] =
        std::make_unique<ops::AdmissionGate>(static_cast<std::size_t>(admission.max_concurrency),
                                             static_cast<std::size_t>(admission.max_queue));
    gate_keys_[1] = ops::kGlobalGateKey;
  }
  if (admission.enabled()) shed_ = std::make_unique<ops::ShedCounter>(registry_);
  http_ = std::make_unique<ops::HttpRequestMetrics>(registry_);
}

Replica::~Replica() = default;

namespace {

// A wait for an admission slot on the virtual clock, ended early by a verdict (a simulated client
// never leaves).
class AlarmWait {
 public:
  explicit AlarmWait(Engine& engine) : alarm_(engine) {}
  std::function<void(Verdict)> waker() {
    return [this](Verdict) { alarm_.cancel(); };
  }
  asio::awaitable<void> until(Time deadline) { co_await alarm_.wait_until(deadline); }
  Verdict reason() const { return Verdict::timed_out; }

 private:
  Alarm alarm_;
};

}  // namespace

// As the admission filter admits (ops::pass_gates): the route's gate then the global one, one
// max_wait across both.
asio::awaitable<ops::AdmissionResult> Replica::admit(core::Priority priority) {
  co_return co_await ops::pass_gates(
      std::array<ops::AdmissionGate*, 2>{gates_[0].get(), gates_[1].get()}, priority,
      engine_.now() + max_wait_, [this] { return AlarmWait(engine_); });
}

double Replica::busy_share() const {
  const ops::AdmissionGate* global = gates_[1].get();
  if (!global || global->max_concurrency() == 0) return 0;
  return static_cast<double>(global->in_flight()) / static_cast<double>(global->max_concurrency());
}

void Replica::release_gates() {
  for (const auto& gate : gates_)
    if (gate) gate->release();
}

void Replica::refuse(RequestRecord& record, Cause cause, const Error& refusal, Time arrived,
                     Recorder& recorder) {
  record.cause = cause;
  // The status the server answers the refusal with.
  record.status = http_status(refusal.code);
  record.end = seconds_since_start(engine_.now());
  --connections_;
  answered(record, arrived, recorder);
}

void Replica::answered(const RequestRecord& record, Time arrived, Recorder& recorder) {
  http_->ended("POST", kRoute, record.status, seconds_between(arrived, engine_.now()));
  recorder.record(record);
}

asio::awaitable<void> Replica::serve(Call call, Recorder& recorder) {
  ++connections_;
  http_->started();
  const Time arrived = engine_.now();
  RequestRecord record;
  record.arrival = call.arrival;
  record.mix = call.mix;
  record.replica = index_;
  record.stream = call.stream;
  record.model = *call.model;
  record.key = call.key;
  const core::Principal* principal =
      keys_ && call.key >= 0 ? &keys_->principal(static_cast<std::size_t>(call.key)) : nullptr;
  // The rate limit filter comes before admission: a refused request never queues.
  if (protection_) {
    const auto limited = protection_->admit_request(principal);
    if (!limited.admitted) {
      record.admitted = false;
      refuse(record, Cause::rate_limit_exceeded, auth::RequestRateLimits::refusal(limited), arrived,
             recorder);
      co_return;
    }
  }
  const ops::AdmissionResult admission = co_await admit(call.priority);
  record.queue_wait = seconds_between(arrived, engine_.now());
  if (admission.verdict != Verdict::admitted) {
    record.admitted = false;
    if (shed_) shed_->refused(admission.verdict, kRoute, call.priority);
    refuse(record, admission.verdict == Verdict::timed_out ? Cause::queue_timeout : Cause::shed,
           ops::admission_refusal(admission.verdict, call.priority, max_wait_,
                                  gate_keys_[admission.gate]),
           arrived, recorder);
    co_return;
  }
  gateway::ChatRequest request;
  request.model = *call.model;
  request.stream = call.stream;
  // The chat handler's budget gate: over budget, the cheaper model or a 429. The hold lasts until
  // the call has ended.
  gateway::SpendHold spend_hold;
  if (protection_ && principal) {
    gateway::BudgetAdmission budget =
        protection_->admit_spend(*principal, request.model, call.plan.prompt_tokens);
    if (budget.kind == gateway::BudgetAdmission::Kind::refused) {
      release_gates();
      refuse(record, Cause::budget_exceeded, *budget.verdict.refusal, arrived, recorder);
      co_return;
    }
    if (budget.kind == gateway::BudgetAdmission::Kind::downgraded) {
      request.model = budget.verdict.downgrade_to;
      record.downgraded = true;
    }
    spend_hold = std::move(budget.hold);
  }
  if (protection_) request.raw_body = protection_->body_of(call.plan.prompt_tokens);
  ++admitted_;
  // As the chat handler: the deadline starts once admitted (api::request_limits).
  request.limits.deadline = service_->deadline_for(request.model, call.client_timeout);
  request.limits.deadline_from_client =
      call.client_timeout &&
      request.limits.deadline < service_->deadline_for(request.model, std::nullopt);
  plans_.put(&request, &call.plan);
  ClientStream stream(engine_);
  gateway::Outcome outcome = co_await service_->chat(request, call.stream ? &stream : nullptr,
                                                     gateway::caller_of(principal, {}));
  spend_hold = {};
  plans_.erase(&request);
  release_gates();
  record.end = seconds_since_start(engine_.now());
  record.cause = cause_of(outcome);
  record.attempts = outcome.attempts;
  record.cost_usd = outcome.cost_usd;
  record.prompt_tokens = outcome.usage.prompt_tokens;
  record.completion_tokens = outcome.usage.completion_tokens;
  record.deployment = outcome.deployment;
  record.canary = outcome.canary;
  if (!outcome.canary.empty()) record.canary_alias = request.model;
  // As the chat handler answers: 200 (a stream that broke had sent its head), else the failure's
  // status (499 for a client that left).
  record.status = outcome.ok || outcome.stream_started ? 200 : api::failure_status(outcome);
  record.last_outcome = outcome.last_outcome;
  record.tries = std::move(outcome.tries);
  if (stream.first_chunk) record.ttft = seconds_between(arrived, *stream.first_chunk);
  tokens_served_ += static_cast<double>(record.prompt_tokens + record.completion_tokens);
  cost_served_ += record.cost_usd;
  --admitted_;
  --connections_;
  answered(record, arrived, recorder);
}

}  // namespace sluice::sim
