#pragma once
// A `sluice simulate` scenario as its YAML file states it (bound through scenario_schema.hpp):
// the traffic, how each upstream behaves, the replicas, and the server's own gateway and
// admission sections, in the server's schema, so that the simulated routing is the configured
// routing.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/attempt_outcome.hpp"
#include "core/config.hpp"
#include "core/config_values.hpp"

namespace sluice::sim {

// A random variable as the file gives it: `dist` and the parameters that shape takes. T is
// core::Seconds for times, double for token counts.
template <class T>
struct DistributionSpec {
  std::string dist;  // constant | exponential | uniform | lognormal; empty: not given
  T value{};         // constant
  T mean{};          // exponential
  T min{};           // uniform
  T max{};
  T median{};  // lognormal
  T p99{};
};
using TimeDistributionSpec = DistributionSpec<core::Seconds>;
using CountDistributionSpec = DistributionSpec<double>;

// One stretch of the arrival rate: held (step) or moving in a straight line from the previous
// phase's rate (linear), for `duration`.
struct PhaseConfig {
  core::Seconds duration{0};
  double rate = 0;  // requests per second at the phase's end
  std::string ramp = "step";
};

// One kind of request in the traffic, drawn in proportion to its weight.
struct MixEntryConfig {
  double weight = 1;
  std::string model;  // an alias of the gateway section, or provider/model
  bool stream = false;
  std::string priority = "normal";  // the admission class: low | normal | high
  core::Millis timeout{0};          // the client's own deadline (x-sluice-timeout-ms); 0: none
  bool async = false;  // platform kind hybrid: enqueued as a job for the workers, not served
  CountDistributionSpec prompt_tokens;
  CountDistributionSpec completion_tokens;
  std::string key;  // the name of the `keys` entry that sends it; empty: no key
};

// Traffic read from a Sluice access log (JSON lines) instead of drawn.
struct ReplayConfig {
  std::string file;  // relative to the scenario file's folder
  double speed = 1;  // 2 replays twice as fast
  // The upstreams answer as the log's `tries` say they did: each provider's n-th attempt gets
  // what the n-th attempt the server sent it got (outcome, time, Retry-After).
  bool answers = false;
};

struct TrafficConfig {
  double rate = 0;                   // a constant rate (requests per second), or:
  std::vector<PhaseConfig> phases;   // a piecewise rate; after the last phase its rate holds
  bool repeat = false;               // ... unless the phases repeat (a daily curve)
  std::string arrivals = "poisson";  // poisson | uniform (evenly spaced, deterministic)
  std::vector<MixEntryConfig> mix;
  ReplayConfig replay;  // or: the requests of an access log, replayed
};

// The chat completions of an access log, in arrival order (what traffic.replay reads).
struct ReplayedRequest {
  double arrival = 0;       // seconds since the first one arrived, at the replay's speed
  std::uint32_t model = 0;  // index into ReplayedTraffic::models
  bool stream = false;
  std::int32_t prompt_tokens = 0;
  std::int32_t completion_tokens = 1;
};
// One attempt of the log, as its upstream answered it (traffic.replay.answers).
struct ReplayedAnswer {
  std::uint32_t deployment = 0;  // index into ReplayedTraffic::deployments
  double start = 0;              // seconds since the first request arrived (for the order)
  core::AttemptOutcome outcome = core::AttemptOutcome::success;
  double duration = 0;               // seconds
  double first_token = -1;           // seconds after the attempt started; negative: none came
  std::int64_t retry_after_ms = -1;  // what the upstream asked for; negative: nothing
};
struct ReplayedTraffic {
  std::vector<std::string> models;
  std::vector<ReplayedRequest> requests;
  std::size_t lines = 0;  // read; those not replayed were other routes or other log lines
  std::vector<std::string> deployments;  // "provider/model", as the log's tries name them
  std::vector<ReplayedAnswer> answers;   // in the order the attempts started
};

struct RateLimitConfig {
  double requests_per_second = 0;  // 0: no request-rate limit
  double burst = 0;                // requests admitted at once; 0: one second's worth
  core::Millis retry_after{1000};  // what its 429s ask for
};

// An outage: attempts that start in [from, to) fail as `fail_with` says (a `share` of them).
struct OutageConfig {
  core::Seconds from{0};
  core::Seconds to{0};
  std::string fail_with = "5xx";  // 5xx | 429 | reset | connect | timeout
  double share = 1;               // of the attempts starting in it: a partial degradation
};

// How an upstream behaves: the deployments of gateway provider `provider` (those of upstream
// model `model` only, when given).
struct UpstreamConfig {
  std::string provider;
  std::string model;
  TimeDistributionSpec ttft;           // request sent -> first token
  TimeDistributionSpec per_token;      // each further output token (drawn once per attempt)
  TimeDistributionSpec error_latency;  // how long a failure takes to arrive; default: at once
  int concurrency = 0;                 // attempts served at once, the rest wait in line; 0: any
  RateLimitConfig rate_limit;
  double error_rate = 0;  // attempts answered 5xx
  double reset_rate = 0;  // attempts whose connection resets mid-answer
  std::vector<OutageConfig> outages;
  // The region (of `regions`) the upstream serves from: a replica's attempts take the network
  // between its region and this one (region_latency) each way. Empty: no network time.
  std::string region;
};

struct ReplicasConfig {
  int count = 1;
  std::string load_balancer = "round_robin";  // round_robin | least_connections
};

// platform.autoscaling.behavior.scale_up / scale_down.policies[] (hpa): Kubernetes'
// HPAScalingPolicy.
struct ScalingPolicyConfig {
  std::string type;          // pods | percent
  int value = 0;             // pods, or percent of the replicas at the period's start
  core::Seconds period{15};  // periodSeconds
};

// platform.autoscaling.behavior.scale_up / scale_down (hpa): Kubernetes' HPAScalingRules. A key
// the file does not give keeps the value marked "unset" here, and takes Kubernetes' default for
// its direction (hpa_config.hpp's resolve_scale_up / resolve_scale_down).
struct ScalingRulesConfig {
  core::Seconds stabilization_window{-1};     // negative: unset
  std::string select_policy;                  // max | min | disabled; empty: unset
  std::vector<ScalingPolicyConfig> policies;  // empty: unset
  double tolerance = -1;                      // negative: unset
  bool given() const {
    return stabilization_window.count() >= 0 || !select_policy.empty() || !policies.empty() ||
           tolerance >= 0;
  }
};

// platform.autoscaling.behavior (hpa): Kubernetes' spec.behavior. Given (any key set), the
// controller takes its behavior path with every unset key defaulted; else its older path.
struct HpaBehaviorConfig {
  ScalingRulesConfig scale_up;
  ScalingRulesConfig scale_down;
  bool given() const { return scale_up.given() || scale_down.given(); }
};

// platform.autoscaling: what scales an always-on fleet (see docs/simulate.md, "platform").
struct AutoscalingConfig {
  std::string policy;  // hpa | target_tracking; empty: a fixed fleet of replicas.initial
  std::string metric;  // cpu | in_flight | queue_depth | tokens_per_minute | cost_per_minute
  double target = 0;   // per replica, in the metric's unit (cpu: percent of admission slots busy)
  // hpa: the controller's sync period and its downscale stabilization window (no behavior
  // section: the controller's older path, at most max(2 x current, 4) replicas per sync; with
  // one, the window is the default of behavior.scale_down.stabilization_window).
  core::Seconds sync_period{15};
  core::Seconds scale_down_stabilization{300};
  double tolerance = 0.1;
  HpaBehaviorConfig behavior;  // hpa: spec.behavior
  // target_tracking: the datapoint period and the cooldowns (ECS defaults).
  core::Seconds period{60};
  core::Seconds scale_out_cooldown{300};
  core::Seconds scale_in_cooldown{300};
  bool disable_scale_in = false;  // target_tracking: DisableScaleIn
};

struct ReplicaRangeConfig {
  int min = 1;
  int max = 10;
  int initial = 0;  // 0: min
};

// platform kind serverless: the instance pool (sim/platform/serverless_config.hpp). Every key
// the file does not give takes the preset's value (apply_serverless_preset).
struct ServerlessPlatformConfig {
  std::string preset = "lambda";  // lambda | cloud_run
  TimeDistributionSpec cold_start;
  int concurrency = 1;  // requests one instance serves at once
  int min_instances = 0;
  int max_instances = 1000;
  core::Seconds idle_expiry{600};
  std::string overflow = "throttle";  // throttle | queue (beyond max_instances)
  int queue_limit = 0;                // queue: requests waiting at most
  core::Seconds queue_timeout{10};
  double memory_gb = 1;
  double vcpu = 0;
  double price_per_request = 0;
  double price_per_gb_second = 0;
  double price_per_vcpu_second = 0;
  double warm_price_per_gb_second = 0;  // min_instances kept warm
  double warm_price_per_vcpu_second = 0;
  std::string billing = "per_request";  // per_request | per_instance_busy
  core::Seconds billing_granularity{0.001};
  std::string warm_billing = "always";  // always | while_idle
  bool bill_cold_start = true;
};

// platform kind hybrid: the workers that take the async mix entries' jobs from the queue and
// call the gateway (the API tier) for each.
struct WorkerPoolConfig {
  ReplicaRangeConfig replicas;   // workers: min, max, initial
  int concurrency = 1;           // jobs one worker runs at once
  TimeDistributionSpec startup;  // request -> ready; default: at once
  core::Seconds drain_grace{30};
  double price_per_worker_hour = 0;
  AutoscalingConfig autoscaling;  // metric queue_depth or in_flight, per worker
  // Renew the leases of running jobs as Sluice's ingest workers do (store::LeaseRenewalPolicy);
  // false: an SQS-style visibility timeout, never extended.
  bool renew_leases = true;
};

// platform kind hybrid: the job queue, with the policy of Sluice's ingest queue
// (store::JobRetryPolicy); the defaults are the server's rag.job_* settings.
struct JobQueueConfig {
  core::Millis lease = core::RagConfig{}.job_lease;  // the visibility timeout of a leased job
  int max_attempts = core::RagConfig{}.job_max_attempts;
  core::Millis retry_base = core::RagConfig{}.job_retry_base;
};

// platform: how the gateway instances are run. kind `server`: an always-on fleet whose replicas
// start after a sampled delay and drain when removed; `serverless`: instances of a serverless
// pool, started on demand; `hybrid`: a server fleet for the synchronous API plus workers behind
// a job queue for the async mix entries; empty: the fixed `replicas` section.
struct PlatformConfig {
  std::string kind;
  ReplicaRangeConfig replicas;
  TimeDistributionSpec startup;  // request -> ready; default: at once
  core::Seconds drain_grace{30};
  double price_per_replica_hour = 0;
  AutoscalingConfig autoscaling;
  ServerlessPlatformConfig serverless;  // kind serverless: keys directly under platform
  WorkerPoolConfig workers;             // kind hybrid: platform.workers
  JobQueueConfig queue;                 // kind hybrid: platform.queue
};

// A virtual key, as POST /v1/admin/keys creates one (the body's fields, checked by the admin
// route's own reader): its team, the models it may call, its admission class, its own budgets
// and rate limits (0: the rate_limits defaults).
struct KeyConfig {
  std::string name;
  std::string team;
  std::vector<std::string> models;
  std::string priority = "normal";
  double daily_budget_usd = 0;
  double monthly_budget_usd = 0;
  long long requests_per_minute = 0;
  long long tokens_per_minute = 0;
};

// regions: where the replicas run and the clients are (docs/simulate.md, "Regions and failover").
// An outage is a span [from, to) in which the region's replicas answer nothing: connections to
// them are refused.
struct RegionOutageConfig {
  core::Seconds from{0};
  core::Seconds to{0};
};
struct RegionConfig {
  std::string name;
  int replicas = 1;    // gateway replicas in the region; 0: clients only
  double clients = 1;  // the share (a weight) of the traffic that originates here
  std::vector<RegionOutageConfig> outages;
};
// region_latency: the network from clients in region `from` to region `to` (and back, unless the
// reverse pair has an entry of its own): `one_way` (each direction drawn on its own) or `rtt` (one
// draw per request, half each way). Clients reach their own region in no time unless an entry
// with from == to says otherwise.
struct RegionLinkConfig {
  std::string from;
  std::string to;
  TimeDistributionSpec one_way;
  TimeDistributionSpec rtt;
};
// failover: the global load balancer's health checks. Unset values (0, and a negative dns_ttl)
// take the policy's defaults (failover_defaults, region_topology.hpp).
struct FailoverConfig {
  std::string policy = "gclb";  // gclb (anycast, health-checked backends) | route53 (DNS)
  core::Seconds interval{0};
  int unhealthy_threshold = 0;
  int healthy_threshold = 0;
  core::Seconds dns_ttl{-1};  // route53: how long clients keep a DNS answer
};
struct TopologyConfig {
  std::vector<RegionConfig> regions;  // empty: one place, no network (the default)
  std::vector<RegionLinkConfig> latency;
  FailoverConfig failover;
};

struct ScenarioConfig {
  core::Seconds duration{3600};  // arrivals stop then; requests in flight finish
  long long seed = 1;
  core::Seconds window{60};  // the report's series resolution
  TrafficConfig traffic;
  std::vector<UpstreamConfig> providers;
  ReplicasConfig replicas;
  core::GatewayConfig gateway;
  core::AdmissionConfig admission;
  PlatformConfig platform;
  // Who sends the traffic, and the server's own limits and budgets on them.
  std::vector<KeyConfig> keys;
  core::RateLimitConfig rate_limits;
  core::BudgetsConfig budgets;
  // The UTC instant virtual time 0 stands for: budgets' days and months turn at its midnights.
  std::string start = "2024-01-01T00:00:00Z";
  TopologyConfig topology;  // regions, region_latency, failover
  // Read by load_scenario from traffic.replay.file; null when the traffic is drawn.
  std::shared_ptr<const ReplayedTraffic> replayed;
};

// The entry that simulates the deployments of `provider` with upstream model `model`: the one for
// that model, else the provider's entry without a model; null when none does.
const UpstreamConfig* upstream_for(const std::vector<UpstreamConfig>& entries,
                                   const std::string& provider, const std::string& model);

}  // namespace sluice::sim
