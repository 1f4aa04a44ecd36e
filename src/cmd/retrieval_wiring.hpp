#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "rag/collection_change_listener.hpp"
#include "rag/embedder.hpp"
#include "rag/retriever.hpp"

namespace sluice::http {
class Router;
}
namespace sluice::ops {
class DegradedMode;
class Health;
class Registry;
}  // namespace sluice::ops
namespace sluice::store {
class Store;
}

namespace sluice::cmd {

// The serving half of retrieval in `serve`: the index registry following the store (snapshots
// under <data_dir>/indexes), the search service (embedding queries with `embedder`), the search
// route, the `indexes` readiness check and the index metrics.
class RetrievalServing {
 public:
  // `embedder` null: dense retrieval is off (no embeddings API is configured). While `degraded`
  // (optional) is on, searches run cheaper.
  RetrievalServing(const core::Config& config, store::Store& store, rag::Embedder* embedder,
                   http::Router& router, ops::Health& health, ops::Registry& metrics,
                   const ops::DegradedMode* degraded = nullptr);
  ~RetrievalServing();  // stop()

  // Schedules every collection's load (on the blocking pool) and starts following changes.
  Status start();
  // Stops following and writes the final snapshots.
  void stop();

  rag::Retriever& retriever();
  // For ingest workers: call after each document's chunks are committed.
  rag::CollectionChangeListener change_listener();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace sluice::cmd
