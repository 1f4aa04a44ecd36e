#include "rag/lexical_search.hpp"

#include <algorithm>
#include <numeric>

#include "rag/bm25.hpp"

namespace sluice::rag {
namespace {

// Bounds are computed in double and scores rounded to float: a candidate is pruned only when its
// bound is below the threshold by more than any rounding, so pruning never changes the result.
constexpr double kBoundSlack = 1.0 + 1e-6;

struct TermCursor {
  PostingCursor cursor;
  double idf;
  double upper;      // bound over the whole list
  std::size_t slot;  // position in the deduplicated query: the order scores are summed in
  std::size_t bound_block = SIZE_MAX;
  double bound_block_upper = 0;
  double upper_at_doc =
      0;  // bound at the current candidate (its block's), set when the top k is full
};

// Ranking order: higher score first, then lower chunk id.
bool ranks_before(const LexicalHit& a, const LexicalHit& b) {
  return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
}

class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k); }
  bool full() const { return heap_.size() == k_; }
  // Score a candidate must reach to have a chance (meaningful once full).
  double threshold() const { return heap_.front().score; }
  // True when the hit entered (and so the threshold may have risen).
  bool offer(LexicalHit hit) {
    if (!full()) {
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), ranks_before);
      return true;
    }
    if (!ranks_before(hit, heap_.front())) return false;
    std::pop_heap(heap_.begin(), heap_.end(), ranks_before);
    heap_.back() = hit;
    std::push_heap(heap_.begin(), heap_.end(), ranks_before);
    return true;
  }
  std::vector<LexicalHit> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), ranks_before);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<LexicalHit> heap_;  // worst hit at the front
};

class MaxScoreSearch {
 public:
  MaxScoreSearch(const LexicalData& data, std::vector<TermCursor> terms, std::size_t slots,
                 std::size_t top_k, const ChunkFilter* filter)
      : data_(data),
        terms_(std::move(terms)),
        contributions_(slots, 0.0),
        top_(top_k),
        filter_(filter),
        norm_(data.average_length()) {
    // Cheapest terms first: they are the first to become non-essential.
    std::sort(terms_.begin(), terms_.end(),
              [](const TermCursor& a, const TermCursor& b) { return a.upper < b.upper; });
    prefix_upper_.assign(terms_.size() + 1, 0.0);
    for (std::size_t i = 0; i < terms_.size(); ++i)
      prefix_upper_[i + 1] = prefix_upper_[i] + terms_[i].upper;
  }

  std::vector<LexicalHit> run() {
    while (first_essential_ < terms_.size()) {
      const uint32_t doc = next_candidate();
      if (doc == PostingCursor::kEnd) break;
      if (top_.full()) {
        const uint32_t skip_to = block_bound_skip(doc);
        if (skip_to != doc) {
          advance_essential(skip_to);
          continue;
        }
      }
      if (admissible(doc)) score(doc);
      advance_essential(doc + 1);
    }
    return top_.take_sorted();
  }

 private:
  bool below_threshold(double bound) const { return bound * kBoundSlack < top_.threshold(); }

  uint32_t next_candidate() const {
    uint32_t doc = PostingCursor::kEnd;
    for (std::size_t i = first_essential_; i < terms_.size(); ++i)
      doc = std::min(doc, terms_[i].cursor.doc());
    return doc;
  }

  void advance_essential(uint32_t target) {
    for (std::size_t i = first_essential_; i < terms_.size(); ++i) terms_[i].cursor.advance(target);
  }

  // With every term's block that may hold `doc`, bounds all docs up to the nearest block end.
  // Returns the doc to continue from: `doc` itself when it may still enter the top k.
  uint32_t block_bound_skip(uint32_t doc) {
    double bound = 0;
    uint32_t up_to = PostingCursor::kEnd - 1;
    for (TermCursor& term : terms_) {
      const std::size_t block = term.cursor.shallow_block(doc);
      const auto& blocks = term.cursor.list().blocks();
      term.upper_at_doc = 0;
      if (block == blocks.size()) continue;  // no posting at or after doc
      if (block != term.bound_block) {
        term.bound_block = block;
        term.bound_block_upper = bm25::term_score(term.idf, blocks[block].max_wtf * 0.5,
                                                  norm_(blocks[block].min_len * 0.5));
      }
      term.upper_at_doc = term.bound_block_upper;
      bound += term.bound_block_upper;
      up_to = std::min(up_to, blocks[block].last_doc);
    }
    return below_threshold(bound) ? up_to + 1 : doc;
  }

  bool admissible(uint32_t doc) const {
    if (data_.is_dead(doc)) return false;
    return filter_ == nullptr || !*filter_ || (*filter_)(data_.chunk_ids[doc]);
  }

  double contribution(const TermCursor& term, uint32_t doc) const {
    return bm25::term_score(term.idf, term.cursor.wtf() * 0.5, norm_(data_.lengths[doc] * 0.5));
  }

  void score(uint32_t doc) {
    std::fill(contributions_.begin(), contributions_.end(), 0.0);
    double partial = 0;
    for (std::size_t i = first_essential_; i < terms_.size(); ++i) {
      if (terms_[i].cursor.doc() != doc) continue;
      const double c = contribution(terms_[i], doc);
      contributions_[terms_[i].slot] = c;
      partial += c;
    }
    // Non-essential terms, strongest first, while the doc can still make it: bounded by their
    // blocks at this doc (block_bound_skip ran for it whenever the top k is full).
    double remaining = 0;
    for (std::size_t i = 0; i < first_essential_; ++i) remaining += terms_[i].upper_at_doc;
    for (std::size_t i = first_essential_; i-- > 0;) {
      if (top_.full() && below_threshold(partial + remaining)) return;
      TermCursor& term = terms_[i];
      remaining -= term.upper_at_doc;
      term.cursor.advance(doc);
      if (term.cursor.doc() != doc) continue;
      const double c = contribution(term, doc);
      contributions_[term.slot] = c;
      partial += c;
    }
    // Summed in query order so that the score does not depend on the pruning path.
    const double total = std::accumulate(contributions_.begin(), contributions_.end(), 0.0);
    if (top_.offer(LexicalHit{data_.chunk_ids[doc], static_cast<float>(total)}) && top_.full())
      update_essential();
  }

  // Terms whose bounds together cannot reach the threshold only refine candidates from the rest.
  void update_essential() {
    while (first_essential_ < terms_.size() && below_threshold(prefix_upper_[first_essential_ + 1]))
      ++first_essential_;
  }

  const LexicalData& data_;
  std::vector<TermCursor> terms_;
  std::vector<double> prefix_upper_;
  std::vector<double> contributions_;
  std::size_t first_essential_ = 0;
  TopK top_;
  const ChunkFilter* filter_;
  bm25::LengthNorm norm_;
};

}  // namespace

std::vector<LexicalHit> search_lexical(const LexicalData& data,
                                       const std::vector<std::string>& query_terms,
                                       std::size_t top_k, const ChunkFilter* filter) {
  if (top_k == 0 || data.live_docs == 0) return {};
  std::vector<TermCursor> terms;
  std::vector<std::string_view> seen;
  const bm25::LengthNorm norm(data.average_length());
  for (const std::string& text : query_terms) {
    if (std::find(seen.begin(), seen.end(), text) != seen.end()) continue;
    seen.push_back(text);
    const auto found = data.term_ids.find(std::string_view(text));
    if (found == data.term_ids.end()) continue;
    const PostingList& list = data.postings[found->second];
    if (list.size() == 0) continue;
    const double idf = bm25::idf(data.live_docs, list.size());
    const double upper = bm25::term_score(idf, list.max_wtf() * 0.5, norm(list.min_len() * 0.5));
    terms.push_back(TermCursor{PostingCursor(list), idf, upper, terms.size()});
  }
  if (terms.empty()) return {};
  const std::size_t slots = terms.size();
  return MaxScoreSearch(data, std::move(terms), slots, top_k, filter).run();
}

}  // namespace sluice::rag
