#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <vector>

#include "gateway/routing/catalog.hpp"

namespace sluice::gateway {

// Keeps each provider's upstream model list in the catalog: fetched at start, then every
// `interval`, one independent loop per provider (a slow upstream delays only its own list). A
// failed fetch keeps the last list and is logged once per failure streak; nothing is fatal.
// Runs on whichever event loop spawns run(); must outlive that loop's coroutines.
class ModelListRefresher {
 public:
  ModelListRefresher(Catalog& catalog, std::chrono::milliseconds interval);

  // Starts the per-provider loops and returns.
  boost::asio::awaitable<void> run();

 private:
  // Fetches one provider's list once; `failing` carries the failure streak between calls.
  boost::asio::awaitable<void> refresh(Provider& provider, bool& failing);
  boost::asio::awaitable<void> keep_fresh(Provider& provider);

  Catalog& catalog_;
  std::chrono::milliseconds interval_;
};

}  // namespace sluice::gateway
