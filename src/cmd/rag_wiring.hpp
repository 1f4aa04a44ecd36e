#pragma once
// The RAG side of a server process: the store, the document API, the ingestion workers and their
// probes and metrics. Built in steps, so that retrieval and answers hang their parts on it
// between open_rag_runtime() and start(): set `embedder` and `on_change` before start().

#include <memory>
#include <string_view>

#include "api/rag_api.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "ops/health.hpp"
#include "ops/metrics.hpp"
#include "rag/embedder.hpp"
#include "rag/ingest_metrics.hpp"
#include "rag/ingest_pipeline.hpp"
#include "rag/ingest_worker.hpp"
#include "rag/store_monitor.hpp"
#include "store/store.hpp"

namespace sluice::cmd {

// serve --role: all = API and workers; api = no ingestion workers; worker = workers with probes
// and /metrics only (`sluice worker`).
enum class Role { all, api, worker };
Role parse_role(std::string_view role);  // "all" | "api" | "worker", as checked by the CLI
std::string_view role_name(Role role);

struct RagRuntime {
  const core::Config& config;
  Role role = Role::all;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<rag::StoreMonitor> monitor;
  std::unique_ptr<rag::IngestMetrics> ingest_metrics;
  // For collections with an embedding model; null while no embeddings API is configured.
  rag::Embedder* embedder = nullptr;
  // Told after a collection's chunks changed (ingest or delete); the indexes hang here.
  rag::CollectionChangeListener on_change;
  std::unique_ptr<rag::IngestPipeline> pipeline;
  std::unique_ptr<rag::IngestWorkers> workers;  // null for Role::api
  std::unique_ptr<api::RagApi> api;

  RagRuntime(const core::Config& config, Role role) : config(config), role(role) {}
  // After the server stopped, before it is destroyed: waits for the blocking pool's work (its
  // completions go to the stopped loops) and frees what lives on the loops (workers' timers).
  void stop();
  // Closes the store.
  ~RagRuntime();

  // The document API (unless Role::worker). The router must not outlive this runtime.
  void register_routes(http::Router& router);
  // The store monitor and, unless Role::api, the workers, on the server's event loops.
  void start(http::Server& server);
  // Drain: workers stop leasing.
  void begin_drain();
  // A worker is still finishing a job.
  bool busy() const;
};

// Opens the store under storage.data_dir and registers the `store` readiness check and the job
// metrics. Null after logging why (naming storage.data_dir).
std::unique_ptr<RagRuntime> open_rag_runtime(const core::Config& config, Role role,
                                             ops::Registry& registry, ops::Health& health);

}  // namespace sluice::cmd
