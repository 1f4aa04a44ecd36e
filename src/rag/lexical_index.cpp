#include "rag/lexical_index.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <shared_mutex>

#include "rag/lexical_data.hpp"
#include "rag/lexical_search.hpp"

namespace sluice::rag {
namespace {

// Field weights in half units (body 1, heading path 1.5, title 2).
constexpr uint32_t kBodyWeight = 2;
constexpr uint32_t kHeadingWeight = 3;
constexpr uint32_t kTitleWeight = 4;

struct WeightedTerm {
  std::string_view term;
  uint32_t wtf;
};

// The chunk's distinct terms (in first-seen order) with their weighted frequencies, and its
// weighted length. Gathered in a small open-addressing table: sorting a chunk's few hundred terms
// to merge equal ones cost more than the rest of indexing it.
std::vector<WeightedTerm> weigh(const FieldTerms& terms, uint32_t& length) {
  const std::size_t count = terms.body.size() + terms.title.size() + terms.heading.size();
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, count * 2));
  std::vector<int32_t> slots(capacity, -1);  // index into `distinct`
  std::vector<WeightedTerm> distinct;
  distinct.reserve(count);
  length = 0;
  const auto add = [&](std::string_view term, uint32_t weight) {
    if (term.empty()) return;
    length += weight;
    std::size_t slot = std::hash<std::string_view>{}(term) & (capacity - 1);
    for (; slots[slot] >= 0; slot = (slot + 1) & (capacity - 1)) {
      WeightedTerm& seen = distinct[static_cast<std::size_t>(slots[slot])];
      if (seen.term == term) {
        seen.wtf += weight;
        return;
      }
    }
    slots[slot] = static_cast<int32_t>(distinct.size());
    distinct.push_back({term, weight});
  };
  for (const auto& t : terms.body) add(t, kBodyWeight);
  for (const auto& t : terms.heading) add(t, kHeadingWeight);
  for (const auto& t : terms.title) add(t, kTitleWeight);
  return distinct;
}

uint32_t append_doc(LexicalData& data, int64_t chunk_id, uint32_t length) {
  const auto doc = static_cast<uint32_t>(data.chunk_ids.size());
  data.chunk_ids.push_back(chunk_id);
  data.lengths.push_back(length);
  if (data.dead.size() * 64 <= doc) data.dead.push_back(0);
  ++data.live_docs;
  data.live_length += length;
  return doc;
}

PostingList& postings_of(LexicalData& data, std::string_view term) {
  auto found = data.terms.find(term);
  if (found != data.terms.end()) return found->second;
  return data.terms.emplace(std::string(term), PostingList{}).first->second;
}

// A copy of `data` without its dead docs, renumbered densely in the same order.
std::unique_ptr<LexicalData> compacted(const LexicalData& data) {
  auto out = std::make_unique<LexicalData>();
  std::vector<uint32_t> remap(data.chunk_ids.size(), PostingCursor::kEnd);
  for (uint32_t doc = 0; doc < data.chunk_ids.size(); ++doc) {
    if (!data.is_dead(doc)) remap[doc] = append_doc(*out, data.chunk_ids[doc], data.lengths[doc]);
  }
  for (const auto& [document, docs] : data.documents) {
    std::vector<uint32_t> live;
    for (uint32_t doc : docs)
      if (remap[doc] != PostingCursor::kEnd) live.push_back(remap[doc]);
    if (!live.empty()) out->documents.emplace(document, std::move(live));
  }
  for (const auto& [term, postings] : data.terms) {
    PostingList list;
    for (PostingCursor cursor(postings); cursor.doc() != PostingCursor::kEnd; cursor.next()) {
      const uint32_t doc = remap[cursor.doc()];
      if (doc != PostingCursor::kEnd) list.append(doc, cursor.wtf(), out->lengths[doc]);
    }
    if (list.size() == 0) continue;
    list.shrink_to_fit();
    out->terms.emplace(term, std::move(list));
  }
  return out;
}

}  // namespace

LexicalIndex::LexicalIndex() : data_(std::make_unique<LexicalData>()) {}
LexicalIndex::~LexicalIndex() = default;

void LexicalIndex::add(int64_t chunk_id, std::string_view document_id, const FieldTerms& terms) {
  uint32_t length = 0;
  const std::vector<WeightedTerm> weighted = weigh(terms, length);
  std::lock_guard writer(writer_);
  std::unique_lock lock(lock_);
  LexicalData& data = *data_;
  auto document = data.documents.find(document_id);
  if (document == data.documents.end())
    document = data.documents.emplace(std::string(document_id), std::vector<uint32_t>{}).first;
  for (uint32_t doc : document->second) {
    if (data.chunk_ids[doc] == chunk_id && !data.is_dead(doc)) data.mark_dead(doc);
  }
  const uint32_t doc = append_doc(data, chunk_id, length);
  document->second.push_back(doc);
  for (const WeightedTerm& t : weighted) postings_of(data, t.term).append(doc, t.wtf, length);
}

std::size_t LexicalIndex::remove_document(std::string_view document_id) {
  std::lock_guard writer(writer_);
  std::size_t removed = 0;
  bool compact_now = false;
  {
    std::unique_lock lock(lock_);
    LexicalData& data = *data_;
    const auto document = data.documents.find(document_id);
    if (document == data.documents.end()) return 0;
    for (uint32_t doc : document->second) {
      if (data.is_dead(doc)) continue;
      data.mark_dead(doc);
      ++removed;
    }
    data.documents.erase(document);
    compact_now = data.dead_docs() * 4 > data.chunk_ids.size();
  }
  if (compact_now) {
    auto fresh = compacted(*data_);  // readers may go on meanwhile: nothing writes
    std::unique_lock lock(lock_);
    data_ = std::move(fresh);
  }
  return removed;
}

void LexicalIndex::compact() {
  std::lock_guard writer(writer_);
  auto fresh = compacted(*data_);
  std::unique_lock lock(lock_);
  data_ = std::move(fresh);
}

std::vector<LexicalHit> LexicalIndex::search(const std::vector<std::string>& query_terms,
                                             std::size_t top_k, const ChunkFilter* filter) const {
  std::shared_lock lock(lock_);
  return search_lexical(*data_, query_terms, top_k, filter);
}

std::size_t LexicalIndex::chunk_count() const {
  std::shared_lock lock(lock_);
  return data_->live_docs;
}

std::size_t LexicalIndex::term_count() const {
  std::shared_lock lock(lock_);
  return data_->terms.size();
}

std::size_t LexicalIndex::memory_bytes() const {
  std::shared_lock lock(lock_);
  const LexicalData& data = *data_;
  std::size_t bytes = sizeof(LexicalData) + data.chunk_ids.capacity() * sizeof(int64_t) +
                      data.lengths.capacity() * sizeof(uint32_t) +
                      data.dead.capacity() * sizeof(uint64_t);
  // Hash nodes: key, value, next pointer and cached hash, plus the bucket array.
  for (const auto& [term, postings] : data.terms)
    bytes += sizeof(std::string) + sizeof(PostingList) + 16 + postings.memory_bytes() +
             (term.size() > 15 ? term.capacity() + 1 : 0);
  bytes += data.terms.bucket_count() * sizeof(void*);
  for (const auto& [document, docs] : data.documents)
    bytes += sizeof(std::string) + sizeof(docs) + 16 + docs.capacity() * sizeof(uint32_t) +
             (document.size() > 15 ? document.capacity() + 1 : 0);
  bytes += data.documents.bucket_count() * sizeof(void*);
  return bytes;
}

void LexicalIndex::read_data(const std::function<void(const LexicalData&)>& visit) const {
  std::lock_guard writer(writer_);
  visit(*data_);
}

void LexicalIndex::replace_data(std::unique_ptr<LexicalData> data) {
  std::lock_guard writer(writer_);
  std::unique_lock lock(lock_);
  data_ = std::move(data);
}

}  // namespace sluice::rag
