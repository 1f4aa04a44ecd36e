#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "rag/retriever.hpp"

namespace sluice::gateway {
class GatewayService;
}
namespace sluice::http {
class Router;
}
namespace sluice::ops {
class Health;
class Registry;
}  // namespace sluice::ops
namespace sluice::store {
class Store;
}

namespace sluice::cmd {

// The serving half of retrieval in `serve`: the index registry following the store (snapshots
// under <data_dir>/indexes), the search service (embedding queries through the gateway), the
// search route, the `indexes` readiness check and the index metrics.
class RetrievalServing {
 public:
  RetrievalServing(const core::Config& config, store::Store& store,
                   gateway::GatewayService& gateway, http::Router& router, ops::Health& health,
                   ops::Registry& metrics);
  ~RetrievalServing();  // stop()

  // Schedules every collection's load (on the blocking pool) and starts following changes.
  Status start();
  // Stops following and writes the final snapshots.
  void stop();

  rag::Retriever& retriever();
  // For ingest workers: call after each document's chunks are committed.
  std::function<void(const std::string& collection_id)> change_listener();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace sluice::cmd
