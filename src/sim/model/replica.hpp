#pragma once
// One simulated Sluice instance: the production Catalog (built from the scenario's gateway
// section by Catalog::build, with simulated providers), GatewayService, GatewayMetrics on its own
// registry, and the production AdmissionGate(s) from the admission section. A request waits for
// admission through the admission filter's own sequence (ops::pass_gates: max_wait, priorities,
// shedding), then goes through GatewayService::chat. Every request the replica answers is
// recorded as the server's HTTP layer records it (ops::HttpRequestMetrics: method, route, the
// status the server would answer, the exchange's duration on the virtual clock), and admission's
// refusals in sluice_shed_total (ops::ShedCounter), on the replica's registry.

#include <array>
#include <cstdint>
#include <memory>

#include "gateway/gateway_metrics.hpp"
#include "gateway/gateway_service.hpp"
#include "ops/admission_gate.hpp"
#include "ops/admission_refusal.hpp"
#include "ops/http_request_metrics.hpp"
#include "ops/metrics.hpp"
#include "sim/engine/engine.hpp"
#include "sim/model/call.hpp"
#include "sim/model/simulated_provider.hpp"
#include "sim/report/run_stats.hpp"

namespace sluice::ops {
struct AdmissionResult;
}  // namespace sluice::ops

namespace sluice::sim {

class KeyBook;
class ReplicaProtection;

// Receives each request as it finishes.
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void record(const RequestRecord& record) = 0;
};

class Replica {
 public:
  // The route whose admission.routes entry applies to simulated requests.
  static constexpr std::string_view kRoute = "/v1/chat/completions";

  // With `keys` (the scenario's keys, rate limits or budgets apply), requests are charged to the
  // key's rate limits before admission and to its budgets after it, as the server's filters and
  // chat handler charge them (ReplicaProtection).
  Replica(Engine& engine, const ScenarioConfig& scenario, const UpstreamSet& upstreams,
          PlanBoard& plans, gateway::Timing& timing, std::size_t index, std::uint64_t seed,
          KeyBook* keys = nullptr);
  ~Replica();

  // One request, from its arrival at this replica to its end.
  boost::asio::awaitable<void> serve(Call call, Recorder& recorder);

  // Requests at this replica now, queued or served (what a least-connections balancer reads).
  std::int64_t connections() const { return connections_; }
  // Of those, admitted and in the gateway (in flight), and still waiting for admission (queued).
  std::int64_t in_flight() const { return admitted_; }
  std::int64_t queued() const { return connections_ - admitted_; }
  // The share of admission.max_concurrency's slots in use (0 when there is no global gate): what
  // the simulator calls this replica's CPU, the gateway's own work being free in it.
  double busy_share() const;
  // Tokens (prompt + completion) and upstream cost of the requests this replica finished.
  double tokens_served() const { return tokens_served_; }
  double cost_served() const { return cost_served_; }
  const ops::Registry& registry() const { return registry_; }
  const gateway::Catalog& catalog() const { return *catalog_; }
  // This replica's canaries now (each replica's controller judges its own traffic).
  std::vector<gateway::CanaryStatus> canary_statuses() const { return service_->canary_statuses(); }

 private:
  using Verdict = ops::AdmissionGate::Verdict;
  boost::asio::awaitable<ops::AdmissionResult> admit(core::Priority priority);
  void release_gates();
  // Ends a request refused before the gateway was called (by `cause`, answered with `refusal`).
  void refuse(RequestRecord& record, Cause cause, const Error& refusal, Time arrived,
              Recorder& recorder);
  // Records the exchange (from `arrived` to now) as the HTTP layer does and hands the request
  // on.
  void answered(const RequestRecord& record, Time arrived, Recorder& recorder);

  Engine& engine_;
  PlanBoard& plans_;
  const std::size_t index_;
  ops::Registry registry_;
  std::unique_ptr<gateway::Catalog> catalog_;
  std::unique_ptr<gateway::GatewayMetrics> metrics_;
  std::unique_ptr<gateway::GatewayService> service_;
  // As the admission filter orders them: the route's gate, then the global one; null when off.
  std::array<std::unique_ptr<ops::AdmissionGate>, 2> gates_;
  std::array<std::string, 2> gate_keys_;    // their config keys, as the filter names them
  std::unique_ptr<ops::ShedCounter> shed_;  // null when admission is off, as in the server
  std::unique_ptr<ops::HttpRequestMetrics> http_;
  KeyBook* keys_;
  std::unique_ptr<ReplicaProtection> protection_;  // null: no limits or budgets apply
  const std::chrono::milliseconds max_wait_;
  std::int64_t connections_ = 0;
  std::int64_t admitted_ = 0;
  double tokens_served_ = 0;
  double cost_served_ = 0;
};

}  // namespace sluice::sim
