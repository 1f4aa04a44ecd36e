#include "rag/vector_index.hpp"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <shared_mutex>
#include <stdexcept>

namespace sluice::rag {
namespace {

// A filtered search widens hnswlib's candidate list up to this many before scanning exactly.
constexpr std::size_t kMaxFilteredCandidates = 4096;

bool ranks_before(const VectorHit& a, const VectorHit& b) {
  return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
}

}  // namespace

VectorIndex::VectorIndex(std::size_t dimension, VectorIndexOptions options)
    : dimension_(dimension),
      options_(options),
      space_(std::make_unique<hnswlib::InnerProductSpace>(dimension)),
      graph_(std::make_unique<hnswlib::HierarchicalNSW<float>>(
          space_.get(), std::max<std::size_t>(options.initial_capacity, 1), options.m,
          options.ef_construction)) {
  graph_->setEf(options_.ef_search);
}

VectorIndex::~VectorIndex() = default;

std::vector<float> VectorIndex::normalized(std::span<const float> vector) const {
  if (vector.size() != dimension_)
    throw std::invalid_argument("vector has " + std::to_string(vector.size()) +
                                " dimensions, the index " + std::to_string(dimension_));
  std::vector<float> out(vector.begin(), vector.end());
  double norm = 0;
  for (float x : out) norm += static_cast<double>(x) * x;
  if (norm > 0) {
    const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& x : out) x *= scale;
  }
  return out;
}

void VectorIndex::add(int64_t chunk_id, std::span<const float> vector) {
  const std::vector<float> unit = normalized(vector);
  const auto label = static_cast<hnswlib::labeltype>(chunk_id);
  std::unique_lock lock(lock_);
  const auto existing = graph_->label_lookup_.find(label);
  if (existing != graph_->label_lookup_.end()) {
    if (graph_->isMarkedDeleted(existing->second)) ++live_;
    graph_->addPoint(unit.data(), label);  // revives and moves it
    return;
  }
  if (graph_->cur_element_count >= graph_->max_elements_)
    graph_->resizeIndex(graph_->max_elements_ * 2);
  graph_->addPoint(unit.data(), label);
  ++live_;
}

bool VectorIndex::remove(int64_t chunk_id) {
  std::unique_lock lock(lock_);
  const auto existing = graph_->label_lookup_.find(static_cast<hnswlib::labeltype>(chunk_id));
  if (existing == graph_->label_lookup_.end() || graph_->isMarkedDeleted(existing->second))
    return false;
  graph_->markDeletedInternal(existing->second);
  --live_;
  return true;
}

std::vector<VectorHit> VectorIndex::search(std::span<const float> query, std::size_t top_k,
                                           const ChunkFilter* filter) const {
  const std::vector<float> unit = normalized(query);
  std::shared_lock lock(lock_);
  if (top_k == 0 || live_ == 0) return {};
  const bool filtered = filter != nullptr && *filter;
  std::size_t candidates = filtered ? std::max(top_k * 4, options_.ef_search) : top_k;
  for (;;) {
    auto found = graph_->searchKnn(unit.data(), candidates);
    const bool exhausted = found.size() < candidates;  // the graph has no more live vectors
    std::vector<VectorHit> hits;
    for (; !found.empty(); found.pop()) {
      const auto chunk_id = static_cast<int64_t>(found.top().second);
      if (!filtered || (*filter)(chunk_id))
        hits.push_back(VectorHit{chunk_id, 1.0f - found.top().first});
    }
    if (hits.size() >= top_k || exhausted || candidates >= live_) {
      std::sort(hits.begin(), hits.end(), ranks_before);
      if (hits.size() > top_k) hits.resize(top_k);
      return hits;
    }
    if (candidates >= kMaxFilteredCandidates) return exact_search(unit.data(), top_k, *filter);
    candidates *= 2;
  }
}

std::vector<VectorHit> VectorIndex::exact_search(const float* query, std::size_t top_k,
                                                 const ChunkFilter& filter) const {
  std::vector<VectorHit> hits;
  for (hnswlib::tableint id = 0; id < graph_->cur_element_count; ++id) {
    if (graph_->isMarkedDeleted(id)) continue;
    const auto chunk_id = static_cast<int64_t>(graph_->getExternalLabel(id));
    if (!filter(chunk_id)) continue;
    const float distance =
        graph_->fstdistfunc_(query, graph_->getDataByInternalId(id), graph_->dist_func_param_);
    hits.push_back(VectorHit{chunk_id, 1.0f - distance});
  }
  const std::size_t keep = std::min(top_k, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + keep, hits.end(), ranks_before);
  hits.resize(keep);
  return hits;
}

void VectorIndex::set_ef_search(std::size_t ef_search) {
  std::unique_lock lock(lock_);
  options_.ef_search = ef_search;
  graph_->setEf(ef_search);
}

std::size_t VectorIndex::size() const {
  std::shared_lock lock(lock_);
  return live_;
}

std::size_t VectorIndex::memory_bytes() const {
  std::shared_lock lock(lock_);
  const auto& g = *graph_;
  std::size_t bytes = g.max_elements_ *
                      (g.size_data_per_element_ + sizeof(void*) + sizeof(int) + sizeof(std::mutex));
  for (std::size_t i = 0; i < g.cur_element_count; ++i)
    bytes += g.element_levels_[i] * g.size_links_per_element_;
  bytes += g.label_lookup_.size() * 32 + g.label_lookup_.bucket_count() * sizeof(void*);
  return bytes;
}

Result<uint64_t> VectorIndex::save_graph(const std::string& path) const {
  std::shared_lock lock(lock_);
  try {
    graph_->saveIndex(path);
  } catch (const std::exception& e) {
    return make_error(Errc::internal, "cannot write the vector index: " + std::string(e.what()));
  }
  return uint64_t{live_};
}

Status VectorIndex::load_graph(const std::string& path) {
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  try {
    graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), path);
  } catch (const std::exception& e) {
    return make_error(Errc::internal, "cannot read the vector index: " + std::string(e.what()));
  }
  if (graph->label_offset_ - graph->offsetData_ != dimension_ * sizeof(float))
    return make_error(Errc::internal, "the vector index file has another dimension");
  graph->setEf(options_.ef_search);
  // hnswlib 0.6 counts deletions on load into a field its loading constructor leaves
  // uninitialized; count them again.
  std::size_t deleted = 0;
  for (hnswlib::tableint id = 0; id < graph->cur_element_count; ++id)
    deleted += graph->isMarkedDeleted(id) ? 1 : 0;
  graph->num_deleted_ = deleted;
  std::unique_lock lock(lock_);
  live_ = graph->cur_element_count - deleted;
  graph_ = std::move(graph);
  return {};
}

}  // namespace sluice::rag
