#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rag/posting_list.hpp"

namespace sluice::rag {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// The state behind a LexicalIndex (which owns the locking). Chunks get dense internal doc ids in
// the order they are added; a removed chunk keeps its id, tombstoned, until compaction renumbers.
// Lengths and term frequencies are weighted (see lexical_index.hpp) and kept in half units so
// they stay integers.
struct LexicalData {
  // A term's postings live in its hash node: one cache miss fewer per term while adding.
  StringMap<PostingList> terms;

  std::vector<int64_t> chunk_ids;              // by doc id
  std::vector<uint32_t> lengths;               // by doc id, half units
  std::vector<uint64_t> dead;                  // tombstone bitmap by doc id
  StringMap<std::vector<uint32_t>> documents;  // document id -> its doc ids (live and dead)

  uint64_t live_docs = 0;
  uint64_t live_length = 0;  // sum of live lengths, half units

  bool is_dead(uint32_t doc) const { return (dead[doc >> 6] >> (doc & 63)) & 1; }
  void mark_dead(uint32_t doc) {
    dead[doc >> 6] |= uint64_t{1} << (doc & 63);
    --live_docs;
    live_length -= lengths[doc];
  }
  uint64_t dead_docs() const { return chunk_ids.size() - live_docs; }
  double average_length() const {
    return live_docs == 0 ? 0.0 : static_cast<double>(live_length) * 0.5 / live_docs;
  }
};

}  // namespace sluice::rag
