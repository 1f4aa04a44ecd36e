#include "rag/case_fold.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace sluice::rag {

namespace {

// Runs of code points that fold by the same offset: first, last, step between members, offset.
// Generated from Unicode 14 (CaseFolding, status C and S, via Python's str.casefold falling back
// to str.lower when the full folding expands) for U+0080..U+058F and U+1E00..U+1EFF.
struct FoldRun {
  char32_t first;
  char32_t last;
  std::uint8_t step;
  std::int16_t offset;
};

constexpr FoldRun kFoldRuns[] = {
    {0x00B5, 0x00B5, 1, 775},  {0x00C0, 0x00D6, 1, 32},    {0x00D8, 0x00DE, 1, 32},
    {0x0100, 0x012E, 2, 1},    {0x0130, 0x0130, 1, -199},  {0x0132, 0x0136, 2, 1},
    {0x0139, 0x0147, 2, 1},    {0x014A, 0x0176, 2, 1},     {0x0178, 0x0178, 1, -121},
    {0x0179, 0x017D, 2, 1},    {0x017F, 0x017F, 1, -268},  {0x0181, 0x0181, 1, 210},
    {0x0182, 0x0184, 2, 1},    {0x0186, 0x0186, 1, 206},   {0x0187, 0x0187, 1, 1},
    {0x0189, 0x018A, 1, 205},  {0x018B, 0x018B, 1, 1},     {0x018E, 0x018E, 1, 79},
    {0x018F, 0x018F, 1, 202},  {0x0190, 0x0190, 1, 203},   {0x0191, 0x0191, 1, 1},
    {0x0193, 0x0193, 1, 205},  {0x0194, 0x0194, 1, 207},   {0x0196, 0x0196, 1, 211},
    {0x0197, 0x0197, 1, 209},  {0x0198, 0x0198, 1, 1},     {0x019C, 0x019C, 1, 211},
    {0x019D, 0x019D, 1, 213},  {0x019F, 0x019F, 1, 214},   {0x01A0, 0x01A4, 2, 1},
    {0x01A6, 0x01A6, 1, 218},  {0x01A7, 0x01A7, 1, 1},     {0x01A9, 0x01A9, 1, 218},
    {0x01AC, 0x01AC, 1, 1},    {0x01AE, 0x01AE, 1, 218},   {0x01AF, 0x01AF, 1, 1},
    {0x01B1, 0x01B2, 1, 217},  {0x01B3, 0x01B5, 2, 1},     {0x01B7, 0x01B7, 1, 219},
    {0x01B8, 0x01B8, 1, 1},    {0x01BC, 0x01BC, 1, 1},     {0x01C4, 0x01C4, 1, 2},
    {0x01C5, 0x01C5, 1, 1},    {0x01C7, 0x01C7, 1, 2},     {0x01C8, 0x01C8, 1, 1},
    {0x01CA, 0x01CA, 1, 2},    {0x01CB, 0x01DB, 2, 1},     {0x01DE, 0x01EE, 2, 1},
    {0x01F1, 0x01F1, 1, 2},    {0x01F2, 0x01F4, 2, 1},     {0x01F6, 0x01F6, 1, -97},
    {0x01F7, 0x01F7, 1, -56},  {0x01F8, 0x021E, 2, 1},     {0x0220, 0x0220, 1, -130},
    {0x0222, 0x0232, 2, 1},    {0x023A, 0x023A, 1, 10795}, {0x023B, 0x023B, 1, 1},
    {0x023D, 0x023D, 1, -163}, {0x023E, 0x023E, 1, 10792}, {0x0241, 0x0241, 1, 1},
    {0x0243, 0x0243, 1, -195}, {0x0244, 0x0244, 1, 69},    {0x0245, 0x0245, 1, 71},
    {0x0246, 0x024E, 2, 1},    {0x0370, 0x0372, 2, 1},     {0x0376, 0x0376, 1, 1},
    {0x037F, 0x037F, 1, 116},  {0x0386, 0x0386, 1, 38},    {0x0388, 0x038A, 1, 37},
    {0x038C, 0x038C, 1, 64},   {0x038E, 0x038F, 1, 63},    {0x0391, 0x03A1, 1, 32},
    {0x03A3, 0x03AB, 1, 32},   {0x03C2, 0x03C2, 1, 1},     {0x03CF, 0x03CF, 1, 8},
    {0x03D0, 0x03D0, 1, -30},  {0x03D1, 0x03D1, 1, -25},   {0x03D5, 0x03D5, 1, -15},
    {0x03D6, 0x03D6, 1, -22},  {0x03D8, 0x03EE, 2, 1},     {0x03F0, 0x03F0, 1, -54},
    {0x03F1, 0x03F1, 1, -48},  {0x03F4, 0x03F4, 1, -60},   {0x03F5, 0x03F5, 1, -64},
    {0x03F7, 0x03F7, 1, 1},    {0x03F9, 0x03F9, 1, -7},    {0x03FA, 0x03FA, 1, 1},
    {0x03FD, 0x03FF, 1, -130}, {0x0400, 0x040F, 1, 80},    {0x0410, 0x042F, 1, 32},
    {0x0460, 0x0480, 2, 1},    {0x048A, 0x04BE, 2, 1},     {0x04C0, 0x04C0, 1, 15},
    {0x04C1, 0x04CD, 2, 1},    {0x04D0, 0x052E, 2, 1},     {0x0531, 0x0556, 1, 48},
    {0x1E00, 0x1E94, 2, 1},    {0x1E9B, 0x1E9B, 1, -58},   {0x1E9E, 0x1E9E, 1, -7615},
    {0x1EA0, 0x1EFE, 2, 1},
};

// The runs below U+0590 expanded into a direct table, so the common scripts fold in one load.
constexpr char32_t kDirectEnd = 0x590;
constexpr std::array<char16_t, kDirectEnd> build_direct_table() {
  std::array<char16_t, kDirectEnd> table{};
  for (char32_t c = 0; c < kDirectEnd; ++c) table[c] = static_cast<char16_t>(c);
  for (char32_t c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char16_t>(c + 32);
  for (const FoldRun& run : kFoldRuns) {
    if (run.first >= kDirectEnd) break;
    for (char32_t c = run.first; c <= run.last; c += run.step)
      table[c] = static_cast<char16_t>(static_cast<std::int32_t>(c) + run.offset);
  }
  return table;
}

constexpr std::array<char16_t, kDirectEnd> kDirect = build_direct_table();

char32_t fold_by_runs(char32_t c) {
  const FoldRun* run = std::upper_bound(
      std::begin(kFoldRuns), std::end(kFoldRuns), c,
      [](char32_t value, const FoldRun& candidate) { return value < candidate.first; });
  if (run == std::begin(kFoldRuns)) return c;
  --run;
  if (c > run->last || (c - run->first) % run->step != 0) return c;
  return static_cast<char32_t>(static_cast<std::int32_t>(c) + run->offset);
}

}  // namespace

char32_t fold_case(char32_t c) {
  if (c < kDirectEnd) return kDirect[c];
  if (c >= 0x1E00 && c <= 0x1EFF) return fold_by_runs(c);
  if (c >= 0xFF21 && c <= 0xFF3A) return c - 0xFF21 + 'a';  // full-width A..Z
  if (c >= 0xFF41 && c <= 0xFF5A) return c - 0xFF41 + 'a';  // full-width a..z
  if (c >= 0xFF10 && c <= 0xFF19) return c - 0xFF10 + '0';  // full-width digits
  return c;
}

}  // namespace sluice::rag
