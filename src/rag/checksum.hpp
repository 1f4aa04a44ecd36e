#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sluice::rag {

// A streaming 64-bit checksum for index snapshots: four FNV-style lanes over 8-byte words, so it
// runs at memory speed on hundreds of megabytes. Each step is a bijection of the lane state, so
// any single corrupted word changes the result; the length is mixed in, so truncation does too.
// Not cryptographic: it detects accidents, not tampering.
class Checksum64 {
 public:
  void update(const void* data, std::size_t size);
  uint64_t finish() const;

 private:
  void consume_stride(const unsigned char* p);

  static constexpr uint64_t kPrime = 0x100000001b3ULL;
  uint64_t lanes_[4] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL, 0x9e3779b97f4a7c15ULL,
                        0xc2b2ae3d27d4eb4fULL};
  unsigned char pending_[32] = {};
  std::size_t pending_size_ = 0;
  uint64_t total_ = 0;
};

}  // namespace sluice::rag
