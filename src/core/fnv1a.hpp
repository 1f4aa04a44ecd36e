#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::core {

inline constexpr uint64_t kFnv1aOffsetBasis = 14695981039346656037ull;

// 64-bit FNV-1a: short keys (words, ids) hashed fast, and the same in every run and build.
constexpr uint64_t fnv1a(std::string_view data, uint64_t hash = kFnv1aOffsetBasis) {
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace sluice::core
