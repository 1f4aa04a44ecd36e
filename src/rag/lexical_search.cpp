#include "rag/lexical_search.hpp"

#include <algorithm>
#include <cstdint>
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
  std::size_t window_block = SIZE_MAX;  // its block in the current window
  double upper_at_doc = 0;              // that block's bound
  double shortest_norm = 0;             // the length norm of that block's shortest document
};

// Ranking order: higher score first, then lower chunk id.
bool ranks_before(const LexicalHit& a, const LexicalHit& b) {
  return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
}

class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(std::min<std::size_t>(k, 1024)); }
  bool full() const { return heap_.size() == k_; }
  // Score a candidate must reach to have a chance (meaningful once full).
  double threshold() const { return heap_.front().score; }
  void offer(LexicalHit hit) {
    if (!full()) {
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), ranks_before);
      return;
    }
    if (!ranks_before(hit, heap_.front())) return;
    std::pop_heap(heap_.begin(), heap_.end(), ranks_before);
    heap_.back() = hit;
    std::push_heap(heap_.begin(), heap_.end(), ranks_before);
  }
  std::vector<LexicalHit> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), ranks_before);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<LexicalHit> heap_;  // worst hit at the front
};

// MaxScore over windows of blocks. Until the top k is full every term is essential. Then the
// doc ids are walked in windows that end at the nearest block end of any term: inside one, each
// term's block bounds its contribution, the terms whose bounds together stay below the
// threshold are non-essential (they only refine candidates from the others), and a window where
// all are non-essential is skipped without decoding anything.
class MaxScoreSearch {
 public:
  MaxScoreSearch(const LexicalData& data, std::vector<TermCursor> terms, std::size_t top_k,
                 const ChunkFilter* filter)
      : data_(data),
        terms_(std::move(terms)),
        order_(terms_.size()),
        top_(top_k),
        filter_(filter),
        norm_(data.average_length()) {
    std::iota(order_.begin(), order_.end(), 0);
  }

  std::vector<LexicalHit> run() {
    uint32_t pos = 0;  // every doc before it has been decided
    while (pos != PostingCursor::kEnd) {
      if (top_.full() && (!window_valid_ || pos > window_end_)) {
        compute_window(pos);
        if (essential_from_ == order_.size()) {
          pos = window_end_ + 1;
          continue;
        }
      }
      const uint32_t doc = next_candidate(pos);
      if (window_valid_ && doc > window_end_) {
        pos = window_end_ + 1;  // nothing essential left in this window
        continue;
      }
      if (doc == PostingCursor::kEnd) break;
      if ((!top_.full() || may_reach_threshold(doc)) && admissible(doc)) score(doc);
      pos = doc + 1;
    }
    return top_.take_sorted();
  }

 private:
  bool below_threshold(double bound) const { return bound * kBoundSlack < top_.threshold(); }

  // Advances the essential cursors to `pos`; the smallest doc among them.
  uint32_t next_candidate(uint32_t pos) {
    uint32_t doc = PostingCursor::kEnd;
    for (std::size_t i = essential_from_; i < order_.size(); ++i) {
      PostingCursor& cursor = terms_[order_[i]].cursor;
      cursor.advance(pos);
      doc = std::min(doc, cursor.doc());
    }
    return doc;
  }

  void compute_window(uint32_t pos) {
    window_valid_ = true;
    window_end_ = PostingCursor::kEnd - 1;
    for (TermCursor& term : terms_) {
      const std::size_t block = term.cursor.shallow_block(pos);
      const auto& blocks = term.cursor.list().blocks();
      if (block == blocks.size()) {  // no posting at or after pos
        term.upper_at_doc = 0;
        continue;
      }
      window_end_ = std::min(window_end_, blocks[block].last_doc);
      if (block == term.window_block) continue;  // the bound from the last window still holds
      term.window_block = block;
      term.shortest_norm = norm_(blocks[block].min_len * 0.5);
      term.upper_at_doc =
          bm25::term_score(term.idf, blocks[block].max_wtf * 0.5, term.shortest_norm);
    }
    // Weakest first: the longest prefix whose bounds sum below the threshold is non-essential.
    std::sort(order_.begin(), order_.end(), [this](std::size_t a, std::size_t b) {
      return terms_[a].upper_at_doc < terms_[b].upper_at_doc;
    });
    non_essential_bound_ = 0;
    essential_from_ = 0;
    while (essential_from_ < order_.size() &&
           below_threshold(non_essential_bound_ + terms_[order_[essential_from_]].upper_at_doc))
      non_essential_bound_ += terms_[order_[essential_from_++]].upper_at_doc;
  }

  // A term's contribution bounded from its frequency in the doc alone: the doc is in the term's
  // window block, so it is no shorter than that block's shortest document.
  static double frequency_bound(const TermCursor& term) {
    return bm25::term_score(term.idf, term.cursor.wtf() * 0.5, term.shortest_norm);
  }

  // Whether `doc`, a candidate from the essential terms in the current window, can still reach
  // the threshold. Decided before reading the doc's length (a cache miss per candidate): the
  // terms it has are bounded by their frequencies, the non-essential ones are looked up strongest
  // first until the bound falls short. Leaves every non-essential cursor at or past `doc` when
  // it returns true.
  bool may_reach_threshold(uint32_t doc) {
    double bound = non_essential_bound_;
    for (std::size_t i = essential_from_; i < order_.size(); ++i) {
      const TermCursor& term = terms_[order_[i]];
      if (term.cursor.doc() == doc) bound += frequency_bound(term);
    }
    if (below_threshold(bound)) return false;
    for (std::size_t i = essential_from_; i-- > 0;) {
      TermCursor& term = terms_[order_[i]];
      bound -= term.upper_at_doc;
      term.cursor.advance(doc);
      if (term.cursor.doc() == doc) bound += frequency_bound(term);
      if (below_threshold(bound)) return false;
    }
    return true;
  }

  bool admissible(uint32_t doc) const {
    if (data_.is_dead(doc)) return false;
    return filter_ == nullptr || !*filter_ || (*filter_)(data_.chunk_ids[doc]);
  }

  // Every cursor is at or past `doc`: the terms it has are those whose cursor is on it.
  void score(uint32_t doc) {
    const double norm = norm_(data_.lengths[doc] * 0.5);
    double total = 0;  // summed in query order so that the score does not depend on pruning
    for (const TermCursor& term : terms_)
      if (term.cursor.doc() == doc)
        total += bm25::term_score(term.idf, term.cursor.wtf() * 0.5, norm);
    const auto score = static_cast<float>(total);
    // Most candidates lose on the score alone: skip loading their chunk id (a cache miss).
    if (top_.full() && score < top_.threshold()) return;
    top_.offer(LexicalHit{data_.chunk_ids[doc], score});
  }

  const LexicalData& data_;
  std::vector<TermCursor> terms_;
  std::vector<std::size_t> order_;  // terms by window bound, non-essential ones first
  std::size_t essential_from_ = 0;
  double non_essential_bound_ = 0;  // the non-essential terms' bounds summed
  TopK top_;
  const ChunkFilter* filter_;
  bm25::LengthNorm norm_;
  bool window_valid_ = false;
  uint32_t window_end_ = 0;
};

}  // namespace

std::vector<LexicalHit> search_lexical(const LexicalData& data,
                                       const std::vector<std::string>& query_terms,
                                       std::size_t top_k, const ChunkFilter* filter) {
  if (top_k == 0 || data.live_docs == 0) return {};
  std::vector<TermCursor> terms;
  std::vector<std::string_view> seen;
  for (const std::string& text : query_terms) {
    if (std::find(seen.begin(), seen.end(), text) != seen.end()) continue;
    seen.push_back(text);
    const auto found = data.terms.find(std::string_view(text));
    if (found == data.terms.end()) continue;
    const PostingList& list = found->second;
    if (list.size() == 0) continue;
    const double idf = bm25::idf(data.live_docs, list.size());
    terms.push_back(TermCursor{PostingCursor(list), idf});
  }
  if (terms.empty()) return {};
  return MaxScoreSearch(data, std::move(terms), top_k, filter).run();
}

}  // namespace sluice::rag
