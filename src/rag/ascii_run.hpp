#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::rag {

// The length of the prefix of `s` whose bytes all lie in [low, high], ASCII only
// (1 <= low <= high <= 0x7E). Eight bytes at a time: text is mostly long runs of plain ASCII, and
// the parsers' per-byte passes spend their time there.
template <unsigned char low, unsigned char high>
std::size_t ascii_run(std::string_view s) {
  static_assert(1 <= low && low <= high && high <= 0x7E);
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof w);
    // Exact for "any byte": >= 0x80, < low (borrow into the high bit), > high (carry into it).
    const std::uint64_t outside =
        (w | ((w - low * kOnes) & ~w) | (w + (0x7F - high) * kOnes)) & kHighs;
    if (outside != 0) break;
  }
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < low || c > high) break;
  }
  return i;
}

}  // namespace sluice::rag
