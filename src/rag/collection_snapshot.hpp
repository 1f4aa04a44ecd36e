#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "rag/collection_index.hpp"
#include "store/records.hpp"

namespace sluice::rag {

// A collection's snapshot: its lexical index, its vector index when it has one, and its catalog,
// as files named after the collection id in `dir`, each recording index.version(). Writers wait
// while it is taken (so the files agree); searches go on.
[[nodiscard]] Status save_collection_snapshot(const CollectionIndex& index, const std::string& dir);

// The collection's snapshot, only when every file is valid and was taken at the collection's
// current change_seq: not_found when there is none, conflict when it was taken at another
// sequence, internal when a file is corrupt or the files disagree. Never half-loaded.
Result<std::unique_ptr<CollectionIndex>> load_collection_snapshot(
    const store::Collection& collection, const std::string& dir);

// Removes the collection's snapshot files (a deleted collection's).
void remove_collection_snapshot(const std::string& collection_id, const std::string& dir);

}  // namespace sluice::rag
