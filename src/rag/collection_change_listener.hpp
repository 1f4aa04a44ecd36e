#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/document_store.hpp"

namespace sluice::rag {

// Told after a collection's chunks changed (the retrieval layer updates its indexes), with the
// document versions this process has just committed there, if any: indexes may apply those
// without reading them back. Called on an event loop: it must not block.
using CollectionChangeListener = std::function<void(const std::string& collection_id,
                                                    std::vector<store::IngestedVersion> ingested)>;

}  // namespace sluice::rag
