#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "rag/lexical_index.hpp"
#include "rag/vector_index.hpp"

namespace sluice::rag {

// Index snapshots for fast restarts. Each records the collection's change sequence at the time
// it was taken: a loader compares it with the store's and rebuilds when they differ. A snapshot
// with another magic or format version, a wrong checksum or a short length is refused with an
// error (Errc::not_found when there is none), never half-loaded.

template <class Index>
struct LoadedSnapshot {
  std::unique_ptr<Index> index;
  int64_t change_seq = 0;
};

// Writes the lexical index to `path` (temporary file, fsync, rename). Writers wait meanwhile;
// searches do not.
[[nodiscard]] Status save_lexical_snapshot(const LexicalIndex& index, const std::string& path,
                                           int64_t change_seq);
Result<LoadedSnapshot<LexicalIndex>> load_lexical_snapshot(const std::string& path);

// Writes `path` (dimension, options, checksum of the graph) and `path + ".hnsw"` (the graph in
// hnswlib's own format, which it only reads and writes by path). The graph is renamed into
// place first, so a crash between the two renames leaves a pair whose checksum does not match.
[[nodiscard]] Status save_vector_snapshot(const VectorIndex& index, const std::string& path,
                                          int64_t change_seq);
Result<LoadedSnapshot<VectorIndex>> load_vector_snapshot(const std::string& path);

}  // namespace sluice::rag
