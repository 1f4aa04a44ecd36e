#include "cmd/retrieval_wiring.hpp"

#include <filesystem>

#include "api/search_routes.hpp"
#include "ops/blocking_pool.hpp"
#include "ops/health.hpp"
#include "ops/metrics.hpp"
#include "rag/index_registry.hpp"
#include "rag/search_service.hpp"

namespace sluice::cmd {
namespace {

rag::IndexRegistryOptions registry_options(const core::Config& config) {
  rag::IndexRegistryOptions options;
  if (config.rag.snapshots)
    options.snapshot_dir = (std::filesystem::path(config.storage.data_dir) / "indexes").string();
  options.follow_interval = config.rag.index_follow;
  options.snapshot_interval = config.rag.index_snapshot;
  return options;
}

// Retrieval is fast: buckets from half a millisecond.
std::vector<double> retrieval_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

}  // namespace

struct RetrievalServing::Parts {
  rag::IndexRegistry registry;
  rag::SearchService search;

  Parts(const core::Config& config, store::Store& store, rag::Embedder* embedder,
        ops::Registry& metrics, const ops::DegradedMode* degraded)
      : registry(store, ops::blocking_pool(), registry_options(config)),
        search(registry, store, embedder,
               {.max_top_k = static_cast<std::size_t>(config.rag.max_top_k),
                .duration = &metrics.histogram("rag_retrieval_duration_seconds",
                                               "Time to retrieve a search's hits, by mode.",
                                               {"mode"}, retrieval_buckets()),
                .degraded = degraded,
                .degraded_top_k = static_cast<std::size_t>(config.admission.degraded.top_k)}) {}
};

RetrievalServing::RetrievalServing(const core::Config& config, store::Store& store,
                                   rag::Embedder* embedder, http::Router& router,
                                   ops::Health& health, ops::Registry& metrics,
                                   const ops::DegradedMode* degraded)
    : parts_(std::make_unique<Parts>(config, store, embedder, metrics, degraded)) {
  api::register_search_routes(router, parts_->search,
                              static_cast<std::size_t>(config.rag.max_top_k));
  rag::IndexRegistry& registry = parts_->registry;
  health.add_check("indexes", [&registry] {
    return ops::CheckResult{registry.ready(), registry.ready() ? "loaded" : "loading"};
  });
  metrics.add_collector([&registry](ops::MetricSink& out) {
    ops::write_family_header(out, "sluice_index_chunks", "Chunks in the in-memory indexes.",
                             "gauge");
    ops::write_sample(out, "sluice_index_chunks", {}, static_cast<double>(registry.chunk_count()));
    ops::write_family_header(out, "sluice_index_collections_loading",
                             "Collections whose indexes are loading.", "gauge");
    ops::write_sample(out, "sluice_index_collections_loading", {},
                      static_cast<double>(registry.loading()));
  });
}

RetrievalServing::~RetrievalServing() { stop(); }

Status RetrievalServing::start() { return parts_->registry.start(); }

void RetrievalServing::stop() { parts_->registry.stop(); }

rag::Retriever& RetrievalServing::retriever() { return parts_->search; }

rag::CollectionChangeListener RetrievalServing::change_listener() {
  return parts_->registry.change_listener();
}

}  // namespace sluice::cmd
