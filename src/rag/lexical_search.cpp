#include "rag/lexical_search.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "rag/bm25.hpp"

namespace sluice::rag {
namespace {

// Bounds are computed in double, scores summed in fixed point and rounded to float: a candidate is
// pruned only when its bound is below the threshold by more than any rounding (relative, and
// half a unit per term absolute), so pruning never changes the result.
constexpr double kBoundSlack = 1.0 + 1e-6;
constexpr double kRoundingSlack = 1e-6;

// Dense stretches are scored exhaustively, kDenseSpan doc ids at a time, when the essential
// terms' postings per doc id times kCandidateCost exceed all terms' times kPostingCost plus
// kDocCost: the relative costs of a candidate walked one by one, a posting scored term at a time
// and a doc id swept (measured on the PostgreSQL manual).
constexpr uint32_t kDenseSpan = 4096;
constexpr double kCandidateCost = 60;
constexpr double kPostingCost = 4;
constexpr double kDocCost = 1.5;
constexpr uint32_t kSweepStride = 64;  // docs whose scores are checked at once
// Inside a dense stretch, the weakest terms whose bounds sum below this share of the threshold
// are looked up only for the docs the others bring within reach: at the full threshold nearly
// every doc with any other term would be, at none every common term's postings are scored
// (half measured fastest on the PostgreSQL manual at 1M chunks).
constexpr double kSpanRestShare = 0.5;

struct TermCursor {
  PostingCursor cursor;
  double idf;
  std::size_t window_block = SIZE_MAX;  // its block in the current window
  double upper_at_doc = 0;              // that block's bound
  double shortest_norm = 0;             // the length norm of that block's shortest document
  double span_bound = 0;                // its bound over the dense span being scored
};

// The largest of `n` values, in four independent lanes: the sweep over dense stretches.
bm25::ScoreSum largest(const bm25::ScoreSum* values, uint32_t n) {
  bm25::ScoreSum lanes[4] = {0, 0, 0, 0};
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int lane = 0; lane < 4; ++lane) lanes[lane] = std::max(lanes[lane], values[i + lane]);
  for (; i < n; ++i) lanes[0] = std::max(lanes[0], values[i]);
  return std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
}

// One run of a term's postings scored in fixed-point units: where scoring dense stretches spends
// its time. Built for AVX2 as well (four divisions per instruction instead of SSE2's two), the
// version picked when the program loads; both do the same IEEE operations, so the same scores.
__attribute__((target_clones("avx2", "default"))) void score_postings(
    double idf, bm25::LengthNorm norm, const uint32_t* lengths, const uint32_t* docs,
    const uint32_t* wtfs, uint32_t n, bm25::ScoreSum* units) {
  // Three passes so that the middle one, the divisions, runs on vector registers.
  double tfs[kPostingBlockSize], halves[kPostingBlockSize];
  for (uint32_t i = 0; i < n; ++i) {
    tfs[i] = wtfs[i] * 0.5;
    halves[i] = lengths[docs[i]] * 0.5;
  }
  for (uint32_t i = 0; i < n; ++i)
    units[i] = bm25::to_units(bm25::term_score(idf, tfs[i], norm(halves[i])));
}

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
// all are non-essential is skipped without decoding anything. Where the essential terms are so
// common that nearly every doc is a candidate (many everyday words in one question), a stretch
// of docs is scored exhaustively instead: cheaper than pruning it candidate by candidate.
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
        if (candidates_are_dense()) {
          pos = score_every_doc(pos);
          window_valid_ = false;
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
  bool below_threshold(double bound) const {
    return bound * kBoundSlack + kRoundingSlack < top_.threshold();
  }

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
      term.upper_at_doc = block_bound(term, blocks[block]);
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

  // Whether the essential terms have so many postings from the window on that walking them one by
  // one (a few unpredictable branches each, probing the non-essential terms) costs more than
  // scoring every doc of the next kDenseSpan exhaustively. Densities come from each term's window
  // block; the weakest terms, which a dense span only looks up, count in neither.
  bool candidates_are_dense() const {
    double essential = 0, all = 0;  // postings per doc id
    double weak = 0;                // bounds summed, weakest first
    for (std::size_t i = 0; i < order_.size(); ++i) {
      const TermCursor& term = terms_[order_[i]];
      if (term.upper_at_doc == 0) continue;  // no postings left
      weak += term.upper_at_doc;
      if (weak < kSpanRestShare * top_.threshold()) continue;  // left out of dense spans
      const auto& blocks = term.cursor.list().blocks();
      const std::size_t block = term.window_block;
      const uint32_t start = block == 0 ? 0 : blocks[block - 1].last_doc + 1;
      const double density = kPostingBlockSize / (blocks[block].last_doc - start + 1.0);
      all += density;
      if (i >= essential_from_) essential += density;
    }
    return essential * kCandidateCost > all * kPostingCost + kDocCost;
  }

  // Scores every doc in [first, first + kDenseSpan) term at a time. Only the span's essential
  // terms are summed for every doc: bounded over the blocks the span touches, the weakest terms
  // whose bounds together stay below the threshold are the most common ones, and they are looked
  // up only for the docs the others bring near it. Offers those that rank; returns the doc after
  // the span, where or past which every essential cursor stands.
  uint32_t score_every_doc(uint32_t first) {
    const uint32_t last = static_cast<uint32_t>(
        std::min<uint64_t>(uint64_t{first} + kDenseSpan, data_.lengths.size()) - 1);
    const std::size_t essential_from = split_for_span(first, last);
    scores_.assign(last - first + 1, 0);
    for (std::size_t i = essential_from; i < span_order_.size(); ++i) {
      TermCursor& term = terms_[span_order_[i]];
      term.cursor.advance(first);
      term.cursor.visit_through(last, [&](const uint32_t* docs, const uint32_t* wtfs, uint32_t n) {
        bm25::ScoreSum units[kPostingBlockSize];
        score_postings(term.idf, norm_, data_.lengths.data(), docs, wtfs, n, units);
        for (uint32_t i = 0; i < n; ++i) scores_[docs[i] - first] += units[i];
      });
    }
    const uint32_t span = last - first + 1;
    const double rest_bound = span_rest_bound_;
    for (uint32_t from = 0; from < span; from += kSweepStride) {
      const uint32_t to = std::min(span, from + kSweepStride);
      if (below_threshold(bm25::to_points(largest(&scores_[from], to - from)) + rest_bound))
        continue;
      for (uint32_t offset = from; offset < to; ++offset) {
        if (below_threshold(bm25::to_points(scores_[offset]) + rest_bound)) continue;
        const uint32_t doc = first + offset;
        bm25::ScoreSum total = scores_[offset];
        if (!add_span_rest(doc, essential_from, total)) continue;
        const auto score = static_cast<float>(bm25::to_points(total));
        if (score < top_.threshold() || !admissible(doc)) continue;
        top_.offer(LexicalHit{data_.chunk_ids[doc], score});
      }
    }
    return last + 1;
  }

  // Orders span_order_ by each term's bound over the blocks that [first, last] touches, weakest
  // first, and returns where its essential terms start; span_rest_bound_ sums the others' bounds.
  std::size_t split_for_span(uint32_t first, uint32_t last) {
    span_order_.resize(terms_.size());
    std::iota(span_order_.begin(), span_order_.end(), 0);
    for (TermCursor& term : terms_) {
      const auto& blocks = term.cursor.list().blocks();
      term.span_bound = 0;
      for (std::size_t block = term.cursor.shallow_block(first); block < blocks.size(); ++block) {
        term.span_bound = std::max(term.span_bound, block_bound(term, blocks[block]));
        if (blocks[block].last_doc >= last) break;
      }
    }
    std::sort(span_order_.begin(), span_order_.end(), [this](std::size_t a, std::size_t b) {
      return terms_[a].span_bound < terms_[b].span_bound;
    });
    span_rest_bound_ = 0;
    std::size_t essential_from = 0;
    while (essential_from < span_order_.size() &&
           span_rest_bound_ + terms_[span_order_[essential_from]].span_bound <
               kSpanRestShare * top_.threshold())
      span_rest_bound_ += terms_[span_order_[essential_from++]].span_bound;
    return essential_from;
  }

  // Adds to `total` the contributions of the span's non-essential terms (span_order_ before
  // `essential_from`) that `doc` has, strongest first; false as soon as the doc cannot reach the
  // threshold.
  bool add_span_rest(uint32_t doc, std::size_t essential_from, bm25::ScoreSum& total) {
    double bound = span_rest_bound_;
    double norm = -1;  // computed on the first term the doc has
    for (std::size_t i = essential_from; i-- > 0;) {
      TermCursor& term = terms_[span_order_[i]];
      bound -= term.span_bound;
      term.cursor.advance(doc);
      if (term.cursor.doc() == doc) {
        if (norm < 0) norm = norm_(data_.lengths[doc] * 0.5);
        total += bm25::to_units(bm25::term_score(term.idf, term.cursor.wtf() * 0.5, norm));
      }
      if (below_threshold(bm25::to_points(total) + bound)) return false;
    }
    return true;
  }

  double block_bound(const TermCursor& term, const PostingBlock& block) const {
    return bm25::term_score(term.idf, block.max_wtf * 0.5, norm_(block.min_len * 0.5));
  }

  bool admissible(uint32_t doc) const {
    if (data_.is_dead(doc)) return false;
    return filter_ == nullptr || !*filter_ || (*filter_)(data_.chunk_ids[doc]);
  }

  // Every cursor is at or past `doc`: the terms it has are those whose cursor is on it.
  void score(uint32_t doc) {
    const double norm = norm_(data_.lengths[doc] * 0.5);
    bm25::ScoreSum total = 0;
    for (const TermCursor& term : terms_)
      if (term.cursor.doc() == doc)
        total += bm25::to_units(bm25::term_score(term.idf, term.cursor.wtf() * 0.5, norm));
    const auto score = static_cast<float>(bm25::to_points(total));
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
  std::vector<bm25::ScoreSum> scores_;   // score_every_doc's, by doc offset
  std::vector<std::size_t> span_order_;  // terms by span bound, non-essential ones first
  double span_rest_bound_ = 0;           // the span's non-essential terms' bounds summed
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
