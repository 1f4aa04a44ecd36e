#include "rag/posting_list.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::rag {
namespace {

void put_varint(std::vector<uint8_t>& out, uint32_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

// The encoder wrote the stream, and snapshots are checksummed, so no bounds checks here.
inline uint32_t get_varint(const uint8_t*& p) {
  uint32_t value = *p & 0x7f;
  for (int shift = 7; *p++ & 0x80; shift += 7) value |= static_cast<uint32_t>(*p & 0x7f) << shift;
  return value;
}

// Whether the eight bytes at `p` (if the stream has them) are four postings of two one-byte
// varints each: no continuation bit among them.
inline bool four_short_postings(const uint8_t* p, const uint8_t* end) {
  if (end - p < 8) return false;
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return (word & 0x8080808080808080ULL) == 0;
}

// Delta base of a block: the previous block's last doc (0 before the first block).
inline uint32_t block_base(const std::vector<PostingBlock>& blocks, std::size_t index) {
  return index == 0 ? 0 : blocks[index - 1].last_doc;
}

}  // namespace

void PostingList::append(uint32_t doc, uint32_t wtf, uint32_t doc_len) {
  if (count_ % kPostingBlockSize == 0) {
    blocks_.push_back(PostingBlock{doc, static_cast<uint32_t>(bytes_.size()), 0, UINT32_MAX});
  }
  PostingBlock& block = blocks_.back();
  const uint32_t previous =
      count_ % kPostingBlockSize == 0 ? block_base(blocks_, blocks_.size() - 1) : block.last_doc;
  put_varint(bytes_, doc - previous);
  put_varint(bytes_, wtf);
  block.last_doc = doc;
  block.max_wtf = std::max(block.max_wtf, wtf);
  block.min_len = std::min(block.min_len, doc_len);
  max_wtf_ = std::max(max_wtf_, wtf);
  min_len_ = std::min(min_len_, doc_len);
  ++count_;
}

std::size_t PostingList::memory_bytes() const {
  return bytes_.capacity() + blocks_.capacity() * sizeof(PostingBlock);
}

void PostingList::shrink_to_fit() {
  bytes_.shrink_to_fit();
  blocks_.shrink_to_fit();
}

bool PostingList::assemble(std::vector<uint8_t> bytes, std::vector<PostingBlock> blocks,
                           uint32_t count, PostingList& out) {
  if (blocks.size() != (count + kPostingBlockSize - 1) / kPostingBlockSize) return false;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const bool ordered = i == 0 || (blocks[i].offset > blocks[i - 1].offset &&
                                    blocks[i].last_doc > blocks[i - 1].last_doc);
    if (!ordered || blocks[i].offset >= bytes.size()) return false;
  }
  out.max_wtf_ = 0;
  out.min_len_ = UINT32_MAX;
  for (const PostingBlock& block : blocks) {
    out.max_wtf_ = std::max(out.max_wtf_, block.max_wtf);
    out.min_len_ = std::min(out.min_len_, block.min_len);
  }
  out.bytes_ = std::move(bytes);
  out.blocks_ = std::move(blocks);
  out.count_ = count;
  return true;
}

uint32_t PostingList::decode_block(std::size_t index, uint32_t* docs, uint32_t* wtfs) const {
  const uint32_t size = std::min<uint32_t>(
      kPostingBlockSize, count_ - static_cast<uint32_t>(index) * kPostingBlockSize);
  const uint8_t* p = bytes_.data() + blocks_[index].offset;
  const uint8_t* const end = bytes_.data() + bytes_.size();
  uint32_t doc = block_base(blocks_, index);
  // Most postings of a common term are two one-byte varints: four of them at a time while the
  // next eight bytes hold no continuation bit, one at a time otherwise.
  for (uint32_t i = 0; i < size;) {
    if (i + 4 <= size && four_short_postings(p, end)) {
      for (int j = 0; j < 4; ++j, ++i) {
        doc += p[2 * j];
        docs[i] = doc;
        wtfs[i] = p[2 * j + 1];
      }
      p += 8;
      continue;
    }
    doc += get_varint(p);
    docs[i] = doc;
    wtfs[i++] = get_varint(p);
  }
  return size;
}

PostingCursor::PostingCursor(const PostingList& list) : list_(&list) {
  if (list.size() > 0) load_block(0);
}

void PostingCursor::load_block(std::size_t index) {
  block_ = index;
  pos_ = 0;
  if (index >= list_->blocks().size()) {
    size_ = 0;
    doc_ = kEnd;
    return;
  }
  size_ = list_->decode_block(index, docs_, wtfs_);
  doc_ = docs_[0];
}

void PostingCursor::next() {
  if (doc_ == kEnd) return;
  if (++pos_ < size_) {
    doc_ = docs_[pos_];
  } else {
    load_block(block_ + 1);
  }
}

void PostingCursor::advance_to(uint32_t target) {
  const auto& blocks = list_->blocks();
  if (blocks[block_].last_doc < target) {
    std::size_t index = block_ + 1;
    while (index < blocks.size() && blocks[index].last_doc < target) ++index;
    load_block(index);
    if (doc_ == kEnd) return;
  }
  while (docs_[pos_] < target) ++pos_;  // the block's last doc is >= target
  doc_ = docs_[pos_];
}

std::size_t PostingCursor::shallow_block(uint32_t target) {
  const auto& blocks = list_->blocks();
  while (shallow_ < blocks.size() && blocks[shallow_].last_doc < target) ++shallow_;
  return shallow_;
}

}  // namespace sluice::rag
