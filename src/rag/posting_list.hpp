#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::rag {

// Postings are grouped in blocks of this many; each block carries the bounds that let a search
// skip it without decoding.
inline constexpr uint32_t kPostingBlockSize = 128;

// What a search needs to know about a block without decoding it. `max_wtf` and `min_len` need
// not come from the same posting: together they bound any posting's score in the block.
struct PostingBlock {
  uint32_t last_doc = 0;  // internal doc id of the block's last posting
  uint32_t offset = 0;    // byte offset of the block's first posting in the encoded stream
  uint32_t max_wtf = 0;   // largest weighted term frequency, in half occurrences
  uint32_t min_len = 0;   // shortest weighted document length, in half terms
};

// One term's postings: (internal doc id, weighted term frequency) in increasing doc order, stored
// as LEB128 varints (doc delta, wtf) per posting, blocks of kPostingBlockSize. Append-only;
// deletions are tombstones in the index, dropped when it compacts.
class PostingList {
 public:
  // `doc` must be greater than every doc already appended.
  void append(uint32_t doc, uint32_t wtf, uint32_t doc_len);

  uint32_t size() const { return count_; }
  uint32_t max_wtf() const { return max_wtf_; }
  uint32_t min_len() const { return min_len_; }
  const std::vector<PostingBlock>& blocks() const { return blocks_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::size_t memory_bytes() const;
  void shrink_to_fit();

  // Rebuilds a list from its serialized parts; false if they are inconsistent.
  static bool assemble(std::vector<uint8_t> bytes, std::vector<PostingBlock> blocks, uint32_t count,
                       PostingList& out);

  // Decodes block `index` into `docs` and `wtfs` (each kPostingBlockSize long); returns its size.
  uint32_t decode_block(std::size_t index, uint32_t* docs, uint32_t* wtfs) const;

 private:
  std::vector<uint8_t> bytes_;
  std::vector<PostingBlock> blocks_;
  uint32_t count_ = 0;
  uint32_t max_wtf_ = 0;
  uint32_t min_len_ = UINT32_MAX;
};

// Walks one PostingList in doc order. Two positions: the decoded one (doc(), advance) and a
// shallow one over block metadata only (shallow_block), both moving forward only.
class PostingCursor {
 public:
  static constexpr uint32_t kEnd = UINT32_MAX;

  explicit PostingCursor(const PostingList& list);

  uint32_t doc() const { return doc_; }
  uint32_t wtf() const { return wtfs_[pos_]; }
  void next();
  // Moves to the first posting whose doc >= target (kEnd if none). Inline for its common cases,
  // a cursor already there or a target inside the decoded block: searches ask it of several
  // terms per candidate.
  void advance(uint32_t target) {
    if (doc_ >= target) return;
    if (target > docs_[size_ - 1]) return advance_to(target);
    while (docs_[pos_] < target) ++pos_;
    doc_ = docs_[pos_];
  }
  // Hands the postings from the current one through doc `last` to visit(docs, wtfs, count), a
  // run of decoded postings at a time, then stands on the next posting: the loop that scores
  // dense stretches, reading decoded blocks in place.
  template <class Visit>
  void visit_through(uint32_t last, Visit&& visit) {
    while (doc_ <= last && docs_[size_ - 1] <= last) {
      visit(docs_ + pos_, wtfs_ + pos_, size_ - pos_);
      load_block(block_ + 1);
    }
    if (doc_ > last) return;
    uint32_t end = pos_;
    while (docs_[end] <= last) ++end;
    visit(docs_ + pos_, wtfs_ + pos_, end - pos_);
    pos_ = end;
    doc_ = docs_[pos_];
  }
  // The first block whose last doc >= target (blocks().size() if none), decoding nothing.
  // Targets must not decrease between calls.
  std::size_t shallow_block(uint32_t target);
  const PostingList& list() const { return *list_; }

 private:
  void load_block(std::size_t index);
  void advance_to(uint32_t target);

  const PostingList* list_;
  std::size_t block_ = 0;
  std::size_t shallow_ = 0;
  uint32_t size_ = 0;
  uint32_t pos_ = 0;
  uint32_t doc_ = kEnd;
  uint32_t docs_[kPostingBlockSize];
  uint32_t wtfs_[kPostingBlockSize];
};

}  // namespace sluice::rag
