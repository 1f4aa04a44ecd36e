#pragma once

#include <cstdint>
#include <functional>

namespace sluice::rag {

// Which chunks a search may return (built by the caller from document ids, tags or metadata).
// Indexes call it only for candidates that could still enter the top k, so it should be cheap
// (a hash-set probe) and must be safe to call from the searching thread.
using ChunkFilter = std::function<bool(int64_t chunk_id)>;

}  // namespace sluice::rag
