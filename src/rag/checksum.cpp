#include "rag/checksum.hpp"

#include <algorithm>
#include <bit>

namespace sluice::rag {

void Checksum64::consume_stride(const unsigned char* p) {
  for (int lane = 0; lane < 4; ++lane) {
    uint64_t word;
    std::memcpy(&word, p + lane * 8, 8);
    lanes_[lane] = std::rotl((lanes_[lane] ^ word) * kPrime, 29);
  }
}

void Checksum64::update(const void* data, std::size_t size) {
  if (size == 0) return;  // data may be null then (an empty vector's)
  auto* p = static_cast<const unsigned char*>(data);
  total_ += size;
  if (pending_size_ > 0) {
    const std::size_t take = std::min(size, sizeof(pending_) - pending_size_);
    std::memcpy(pending_ + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    size -= take;
    if (pending_size_ < sizeof(pending_)) return;
    consume_stride(pending_);
    pending_size_ = 0;
  }
  for (; size >= 32; p += 32, size -= 32) consume_stride(p);
  std::memcpy(pending_, p, size);
  pending_size_ = size;
}

uint64_t Checksum64::finish() const {
  Checksum64 copy = *this;
  // Pad the tail with zeros; the length below tells "abc" from "abc\0".
  std::memset(copy.pending_ + copy.pending_size_, 0, sizeof(pending_) - copy.pending_size_);
  if (copy.pending_size_ > 0) copy.consume_stride(copy.pending_);
  uint64_t h = copy.total_ * kPrime;
  for (int lane = 0; lane < 4; ++lane) h = std::rotl((h ^ copy.lanes_[lane]) * kPrime, 31);
  return h ^ (h >> 32);
}

}  // namespace sluice::rag
