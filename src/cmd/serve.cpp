#include "cmd/serve.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "api/admin_audit_routes.hpp"
#include "api/admin_canary_routes.hpp"
#include "api/admin_key_routes.hpp"
#include "api/completions_routes.hpp"
#include "api/media_routes.hpp"
#include "api/messages_routes.hpp"
#include "api/moderations_routes.hpp"
#include "api/openai_routes.hpp"
#include "api/ops_routes.hpp"
#include "api/rerank_routes.hpp"
#include "api/responses_routes.hpp"
#include "api/ui_routes.hpp"
#include "api/upload_spool.hpp"
#include "auth/api_key_filter.hpp"
#include "auth/cors_filter.hpp"
#include "auth/key_follower.hpp"
#include "auth/local_limiter.hpp"
#include "auth/rate_limit_filter.hpp"
#include "auth/rate_limit_metrics.hpp"
#include "auth/token_limits.hpp"
#include "cmd/answer_wiring.hpp"
#include "cmd/cli_args.hpp"
#include "cmd/commands.hpp"
#include "cmd/jwt_wiring.hpp"
#include "cmd/rag_wiring.hpp"
#include "cmd/retrieval_wiring.hpp"
#include "cmd/tracing_wiring.hpp"
#include "core/egress_route.hpp"
#include "core/provider_discovery.hpp"
#include "core/version.hpp"
#include "gateway/budget_guard.hpp"
#include "gateway/budget_metrics.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/model_refresh.hpp"
#include "gateway/pricing.hpp"
#include "gateway/routing/catalog.hpp"
#include "gateway/usage_ledger.hpp"
#include "http/server.hpp"
#include "ops/admission_filter.hpp"
#include "ops/drain.hpp"
#include "ops/health.hpp"
#include "ops/http_observer.hpp"
#include "ops/logger.hpp"
#include "ops/malloc_policy.hpp"
#include "ops/metrics.hpp"
#include "ops/server_metrics.hpp"
#include "ops/signals.hpp"
#include "rag/gateway_embedder.hpp"

namespace sluice::cmd {
namespace {

// How often virtual keys' usage is added to the store: what a crash can lose, and how stale
// another replica's figures may be.
constexpr std::chrono::milliseconds kUsageFlushPeriod{2000};
// Likewise for audit events.
constexpr std::chrono::milliseconds kAuditFlushPeriod{1000};

// Whether an embeddings API is configured: any provider but the built-in mock.
bool embeddings_configured(const core::GatewayConfig& gateway) {
  return std::any_of(gateway.providers.begin(), gateway.providers.end(),
                     [](const core::ProviderConfig& p) { return p.type != "mock"; });
}

using std::chrono::milliseconds;

// How often admission control samples the load for degraded mode: the resolution of
// admission.degraded.enter_after and exit_after.
constexpr milliseconds kPressureSamplePeriod{250};

// An admission.routes entry that names no route of this server would limit nothing, silently.
bool admission_routes_exist(const core::AdmissionConfig& admission, const http::Router& router) {
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (std::size_t i = 0; i < admission.routes.size(); ++i) {
    const std::string& route = admission.routes[i].route;
    if (router.match("GET", route, params).route == route) continue;
    ops::logger().error(
        "no such route: use a route template this server serves",
        {{"key", "admission.routes." + std::to_string(i) + ".route"}, {"route", route}});
    return false;
  }
  return true;
}

// The status page is served when it can chart something: with metrics on.
bool serves_ui(const core::Config& config) { return config.ui.enabled && config.metrics.enabled; }

// Null when admission control is off. Probes, metrics and the status page are never held back:
// an overloaded instance must still answer its orchestrator, its scraper and its operator.
std::unique_ptr<ops::AdmissionFilter> make_admission_filter(const core::Config& config,
                                                            ops::DegradedMode& degraded,
                                                            ops::Registry& registry) {
  if (!config.admission.enabled()) return nullptr;
  std::vector<std::string> exempt{"/livez",        "/health/live", "/readyz",
                                  "/health/ready", "/health",      config.metrics.path};
  if (serves_ui(config))
    for (std::string& path : api::ui_route_paths()) exempt.push_back(std::move(path));
  return std::make_unique<ops::AdmissionFilter>(config.admission, std::move(exempt), degraded,
                                                registry);
}

void register_build_info(ops::Registry& registry) {
  registry.add_collector([](ops::MetricSink& out) {
    ops::write_family_header(out, "sluice_build_info",
                             "Sluice build: version and revision, value always 1.", "gauge");
    ops::write_sample(out, "sluice_build_info", {{"version", kVersion}, {"revision", kGitSha}}, 1);
  });
}

}  // namespace

int serve(const CliArgs& args, Role role) {
  ops::return_large_blocks_to_the_system();
  auto config = load_config_or_report(args);
  if (!config) return config.error();
  auto& log = ops::logger();
  log.configure(config->log.level, config->log.format);
  log.set_buffer_limit(config->log.access_log_buffer);
  ops::TerminationSignals signals;
  signals.block();

  std::error_code fs_error;
  std::filesystem::create_directories(config->storage.data_dir, fs_error);
  if (fs_error) {
    log.error("cannot create the data directory", {{"key", "storage.data_dir"},
                                                   {"path", config->storage.data_dir},
                                                   {"error", fs_error.message()}});
    return 1;
  }

  ops::Registry registry;
  ops::register_process_metrics(registry);
  // Read by retrieval and the gateway; only admission control turns it on.
  ops::DegradedMode degraded(config->admission.degraded.enter_after,
                             config->admission.degraded.exit_after);
  register_build_info(registry);
  ops::Health health;
  // Declared before the router and the server: it outlives both, and closes the store last.
  auto rag = open_rag_runtime(*config, role, registry, health);
  if (!rag) return 1;
  http::Router router;
  api::register_ops_routes(router, health, registry, config->metrics);
  if (serves_ui(*config)) api::register_ui_routes(router, config->metrics.path);
  rag->register_routes(router);
  // Virtual keys: all of them in memory before the first request, then what any replica writes.
  auth::KeyRegistry key_registry(static_cast<std::size_t>(config->auth.max_keys));
  auth::KeyFollower key_follower(rag->store->keys(), key_registry);
  if (Status loaded = key_follower.catch_up(); !loaded) {
    log.error("cannot read the virtual keys", {{"error", loaded.error().message}});
    return 1;
  }
  gateway::UsageLedger usage_ledger(rag->store->usage());
  // Budgets: spend per key and team, read back from the store after each flush of the ledger.
  gateway::SpendTracker spend;
  usage_ledger.set_spend_tracker(&spend);
  gateway::BudgetGuard budget_guard(spend, config->budgets);
  const gateway::PriceTable budget_prices(config->gateway.prices);
  budget_guard.set_estimates(&budget_prices, config->rate_limits.default_completion_tokens);
  api::AdminKeys admin_keys{rag->store->keys(),
                            key_registry,
                            !config->auth.api_keys.empty() || !config->auth.admin_key.empty(),
                            rag->store->usage(),
                            usage_ledger,
                            {}};
  auth::AuditLog audit_log(rag->store->audit());
  // Bearer JWTs: the JWKS must be valid at start, then is followed as it changes.
  std::unique_ptr<JwtServing> jwt;
  if (role != Role::worker && !config->auth.jwt.jwks_file.empty()) {
    jwt = open_jwt_serving(config->auth.jwt, registry);
    if (!jwt) return 1;
  }
  if (role != Role::worker) {
    api::register_admin_key_routes(router, admin_keys);
    api::register_admin_audit_routes(router, rag->store->audit(), audit_log);
  }
  auto catalog = gateway::Catalog::build(config->gateway);
  if (!catalog) {
    log.error("invalid gateway configuration",
              {{"key", "gateway"}, {"error", catalog.error().message}});
    return 1;
  }
  for (const auto& provider : config->gateway.providers)
    if (!provider.egress.decided_by.empty() && provider.egress.decided_by != core::kNoEgressProxy)
      log.info(
          "egress route",
          {{"provider", provider.name},
           {"egress_proxy", provider.egress.proxy ? provider.egress.proxy->redacted() : "none"},
           {"set_by", provider.egress.decided_by}});
  // Rate limits: requests in a filter after authentication, tokens around each model call.
  auth::LocalLimiter limiter(static_cast<std::size_t>(config->rate_limits.max_tracked));
  auth::RateLimitFilter rate_limit_filter(config->rate_limits, limiter);
  auth::TokenLimits token_limits(config->rate_limits, limiter);
  auth::register_rate_limit_metrics(registry, rate_limit_filter.limits(), token_limits);
  gateway::register_budget_metrics(registry, budget_guard);
  gateway::GatewayMetrics gateway_metrics(registry, **catalog);
  gateway::GatewayService gateway_service(**catalog, config->gateway, gateway_metrics);
  // The seed of the balancer's picks and the retry jitter, logged so that an incident's decisions
  // can be replayed (`sluice simulate` with the same gateway.random_seed).
  const bool seed_configured = config->gateway.random_seed != core::GatewayConfig::kNoRandomSeed;
  const std::uint64_t random_seed = seed_configured
                                        ? static_cast<std::uint64_t>(config->gateway.random_seed)
                                        : gateway::DecisionRandom::from_entropy();
  gateway_service.set_random_seed(random_seed);
  log.info("gateway decisions seeded",
           {{"seed", static_cast<long long>(random_seed)},
            {"set_by", seed_configured ? "gateway.random_seed" : "entropy"}});
  gateway_service.set_usage_sink(&usage_ledger);
  gateway_service.set_budget_guard(&budget_guard);
  gateway_service.set_token_limiter(&token_limits, config->rate_limits.default_completion_tokens);
  gateway_service.set_degraded_aliases(&degraded, config->admission.degraded.aliases);
  // Spans of sampled requests: the server's, each upstream attempt's, retrieval and answers.
  bool tracing_failed = false;
  const auto tracing = open_tracing(*config, registry, tracing_failed);
  if (tracing_failed) return 1;
  if (tracing) gateway_service.set_tracer(&tracing->tracer);
  // Embeddings come from a configured embeddings API: the built-in mock's hashed vectors never
  // stand in for a collection's embedding model.
  rag::GatewayEmbedder gateway_embedder(gateway_service);
  rag::Embedder* embedder = embeddings_configured(config->gateway) ? &gateway_embedder : nullptr;
  rag->embedder = embedder;
  // Retrieval (indexes that follow the store, search) and answers serve the API; a worker only
  // ingests.
  std::unique_ptr<RetrievalServing> retrieval;
  std::unique_ptr<AnswerServing> answers;
  if (role != Role::worker) {
    retrieval = std::make_unique<RetrievalServing>(*config, *rag->store, embedder, router, health,
                                                   registry, &degraded);
    rag->on_change = retrieval->change_listener();
    if (auto started = retrieval->start(); !started) {
      log.error("cannot load the indexes", {{"error", started.error().message}});
      return 1;
    }
    answers = std::make_unique<AnswerServing>(*config, *rag->store, retrieval->retriever(),
                                              **catalog, gateway_service, router, registry);
    if (tracing) answers->set_tracer(&tracing->tracer);
    api::register_openai_routes(router, gateway_service, &answers->rag_chat());
    api::register_responses_routes(router, gateway_service, config->gateway, registry);
    api::register_messages_routes(router, gateway_service);
    api::register_completions_routes(router, gateway_service);
    api::register_admin_canary_routes(router, gateway_service);
    api::register_moderations_routes(router, gateway_service);
    api::register_rerank_routes(router, gateway_service,
                                static_cast<std::size_t>(config->gateway.rerank_max_documents));
    // Uploads wait in the spool directory until their model field is read.
    const std::string& spool_dir = config->server.media_spool_dir.empty()
                                       ? config->storage.data_dir
                                       : config->server.media_spool_dir;
    std::filesystem::create_directories(spool_dir, fs_error);
    if (fs_error) {
      log.error(
          "cannot create the upload spool directory",
          {{"key", "server.media_spool_dir"}, {"path", spool_dir}, {"error", fs_error.message()}});
      return 1;
    }
    // One that exists but cannot hold a file (read-only) would fail every upload whose model
    // comes after 64 KiB of it, while the server looked ready: refused here instead.
    if (const int spool_error = api::UploadSpool::probe(spool_dir); spool_error != 0) {
      log.error("cannot make temporary files in the upload spool directory",
                {{"key", "server.media_spool_dir"},
                 {"path", spool_dir},
                 {"error", std::strerror(spool_error)}});
      return 1;
    }
    api::register_media_routes(router, gateway_service,
                               {config->server.max_media_body_bytes, spool_dir});
  }
  health.add_status([&catalog = **catalog] {
    std::vector<ops::Health::NamedResult> upstreams;
    const auto now = std::chrono::steady_clock::now();
    for (const gateway::Deployment* d : catalog.deployments()) {
      const auto state = d->breaker.state(now);
      upstreams.push_back({d->id,
                           {state != gateway::CircuitBreaker::State::open,
                            "circuit " + std::string(gateway::to_string(state))}});
    }
    return upstreams;
  });
  gateway::ModelListRefresher model_lists(**catalog, config->gateway.models_refresh);
  ops::HttpObserver observer(registry, log, config->log.access_log);
  if (tracing) observer.set_tracer(&tracing->tracer);
  // Declared before the server so they outlive its threads. CORS first: preflights carry no key,
  // and a 401 needs CORS headers for a browser page to read it.
  const auto cors = auth::make_cors_filter(config->cors);
  const auto api_keys =
      auth::make_api_key_filter(config->auth, &key_registry, jwt ? &jwt->verifier : nullptr);
  if (api_keys) api_keys->set_audit(&audit_log);
  if (api_keys && config->auth.failed_attempts_per_minute > 0) {
    const int64_t per_minute = config->auth.failed_attempts_per_minute;
    api_keys->set_failure_limit(&limiter,
                                auth::Rate::per_period(per_minute, 60'000'000'000, per_minute));
  }

  http::Server server(config->server, router, observer);
  if (cors) server.add_filter(cors.get());
  if (api_keys) server.add_filter(api_keys.get());
  server.add_filter(&rate_limit_filter);
  if (role != Role::worker && !admission_routes_exist(config->admission, router)) return 1;
  const auto admission = make_admission_filter(*config, degraded, registry);
  if (admission) server.add_filter(admission.get());  // last: it holds slots for the handler
  ops::register_server_metrics(registry, server);
  if (auto status = server.listen(); !status) {
    log.error("cannot start", {{"key", "server.listen"}, {"error", status.error().message}});
    return 1;
  }
  if (admission)
    server.spawn([&admission] { return admission->watch_pressure(kPressureSamplePeriod); });
  if (config->gateway.models_refresh.count() > 0)
    server.spawn([&model_lists] { return model_lists.run(); });
  if (role != Role::worker) {  // a worker serves no API: no key to check, no model call
    server.spawn(
        [&key_follower, period = config->auth.key_refresh] { return key_follower.run(period); });
    server.spawn([&usage_ledger] { return usage_ledger.run(kUsageFlushPeriod); });
    server.spawn([&audit_log, retention = config->auth.audit_retention] {
      return audit_log.run(kAuditFlushPeriod, retention);
    });
  }
  if (jwt)
    server.spawn(
        [&jwt, period = config->auth.jwt.jwks_refresh] { return jwt->watcher.run(period); });
  rag->start(server);
  // Once the loops stop, before they are destroyed: the registry's thread first (it hands work to
  // the blocking pool), then the pool's work and the ingest workers.
  server.on_stopped([&retrieval, &rag, &usage_ledger, &audit_log, &tracing] {
    if (tracing) tracing->stop();  // the loops' last ticks queued their spans
    if (retrieval) retrieval->stop();
    rag->stop();
    // The calls of the last seconds: their usage is in no flush yet.
    if (Status flushed = usage_ledger.flush(); !flushed)
      ops::logger().error("cannot store virtual key usage", {{"error", flushed.error().message}});
    if (Status flushed = audit_log.flush(); !flushed)
      ops::logger().error("cannot store audit events", {{"error", flushed.error().message}});
  });
  server.start();
  health.set_started();
  if (const std::string warning = core::fake_answers_warning(config->gateway); !warning.empty())
    log.warn(warning, {{"key", "gateway.providers"}});
  log.info("listening", {{"host", config->server.host},
                         {"port", static_cast<long long>(server.local_port())},
                         {"role", role_name(role)},
                         {"profile", core::to_string(config->profile)},
                         {"version", kVersion}});

  const int signal_number = signals.wait(milliseconds(-1));
  return ops::drain_and_stop(
      server, signals, config->shutdown, signal_number,
      [&health, &server, &rag] {
        // Workers first: an upload accepted once /readyz says 503 must stay queued.
        rag->begin_drain();
        health.set_draining();
        server.mark_draining();
      },
      [&rag] { return rag->busy(); });
}

int run_serve(int argc, char** argv, int first) {
  auto args = parse_cli_args_or_report(argc, argv, first, "serve");
  if (!args) return args.error();
  return serve(*args, parse_role(args->role));
}

int run_version() {
  std::printf("sluice %s (%s)\n", kVersion, kGitSha);
  return 0;
}

}  // namespace sluice::cmd
