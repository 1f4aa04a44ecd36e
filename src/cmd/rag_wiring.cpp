#include "cmd/rag_wiring.hpp"

#include "api/rag_routes.hpp"
#include "ops/blocking_pool.hpp"
#include "ops/logger.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::cmd {
namespace {

// How often /readyz's store check and the job gauges are read again.
constexpr std::chrono::milliseconds kMonitorPeriod{1'000};

}  // namespace

Role parse_role(std::string_view role) {
  if (role == "api") return Role::api;
  if (role == "worker") return Role::worker;
  return Role::all;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::api:
      return "api";
    case Role::worker:
      return "worker";
    case Role::all:
      break;
  }
  return "all";
}

std::unique_ptr<RagRuntime> open_rag_runtime(const core::Config& config, Role role,
                                             ops::Registry& registry, ops::Health& health) {
  store::SqliteOptions options;
  options.job_max_attempts = config.rag.job_max_attempts;
  auto opened = store::open_sqlite_store(config.storage.data_dir, options);
  if (!opened) {
    ops::logger().error("cannot open the store", {{"key", "storage.data_dir"},
                                                  {"path", config.storage.data_dir},
                                                  {"error", opened.error().message}});
    return nullptr;
  }
  auto runtime = std::make_unique<RagRuntime>(config, role);
  runtime->store = std::move(*opened);
  runtime->monitor = std::make_unique<rag::StoreMonitor>(
      *runtime->store, registry,
      rag::StoreMonitorOptions{config.rag.job_retention, config.rag.tombstone_retention, {}});
  runtime->monitor->refresh();
  health.add_check("store", [monitor = runtime->monitor.get()] { return monitor->readiness(); });
  runtime->ingest_metrics = std::make_unique<rag::IngestMetrics>(registry);
  runtime->api = std::make_unique<api::RagApi>(
      api::RagApi{*runtime->store, config.rag,
                  [r = runtime.get()] {
                    if (r->workers) r->workers->wake();
                  },
                  [r = runtime.get()](const std::string& collection_id) {
                    if (r->on_change) r->on_change(collection_id, {});
                  }});
  return runtime;
}

void RagRuntime::stop() {
  // Work the stopped loops left on the pool may still use the store and post to the loops.
  ops::blocking_pool().join();
  workers.reset();
  pipeline.reset();
}

RagRuntime::~RagRuntime() { ops::blocking_pool().join(); }

void RagRuntime::register_routes(http::Router& router) {
  if (role != Role::worker) api::register_document_api(router, *api);
}

void RagRuntime::start(http::Server& server) {
  server.spawn([monitor = monitor.get()] { return monitor->run(kMonitorPeriod); });
  if (role == Role::api || config.rag.workers <= 0) return;
  rag::IngestOptions ingest;
  ingest.chunking = {config.rag.chunk_target_tokens, config.rag.chunk_overlap_tokens,
                     config.rag.chunk_max_tokens};
  pipeline = std::make_unique<rag::IngestPipeline>(
      *store, embedder, ingest,
      [this](const std::string& collection_id, std::vector<store::IngestedVersion> ingested) {
        if (on_change) on_change(collection_id, std::move(ingested));
      });
  rag::IngestWorkerOptions options;
  options.owner = rag::lease_owner_prefix();
  options.lease = config.rag.job_lease;
  options.retry_base = config.rag.job_retry_base;
  workers = std::make_unique<rag::IngestWorkers>(*store, *pipeline, ingest_metrics.get(),
                                                 config.rag.workers, options);
  workers->start([&server](auto task, std::size_t index) { server.spawn(std::move(task), index); });
  ops::logger().info("ingestion workers started",
                     {{"workers", config.rag.workers}, {"owner", options.owner}});
}

void RagRuntime::begin_drain() {
  if (workers) workers->stop();
}

bool RagRuntime::busy() const { return workers && workers->busy(); }

}  // namespace sluice::cmd
