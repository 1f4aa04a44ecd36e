#pragma once

#include <memory>

#include "gateway/responses/response_store.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {

// The stored-responses store, read at scrape: sluice_response_store_entries and
// sluice_response_store_bytes (what it holds), sluice_response_store_evictions_total{limit}
// (responses evicted, least recently used first, to stay within max_entries or max_bytes) and
// sluice_response_store_rejected_total (responses asked to be stored but too large to).
void register_response_store_metrics(ops::Registry& registry,
                                     std::shared_ptr<const ResponseStore> store);

}  // namespace sluice::gateway
