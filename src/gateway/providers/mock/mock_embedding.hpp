#pragma once
// The mock provider's stand-in for an embedding model. Random vectors per text would make
// nearest neighbours meaningless (in hundreds of dimensions all their distances are nearly
// equal), so vectors are built the way a sparse text model's are, only smaller: a signed
// feature-hashed bag of words and word trigrams. Texts sharing words are close, a question lands
// near the passages that use its words, and the same text always gets the same vector.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

// The mock's hashes start FNV-1a from this basis (not the standard one), so that its ids and
// vectors stay what they have always been.
inline constexpr uint64_t kMockHashBasis = 1469598103934665603ull;

// A unit-length vector of `dimensions` (>= 1) floats for `text`. Features: the lower-cased words
// (runs of ASCII letters and digits, plus any non-ASCII bytes), without English function words,
// and the character trigrams of each word (so "index" and "indexes" share most of theirs),
// each weighted by 1 + ln(count) and hashed into a dimension with a hashed sign. A text without
// such features (only punctuation or function words) gets a pseudo-random unit vector seeded by
// its bytes.
std::vector<float> mock_embedding(std::string_view text, int dimensions);

// The words of `text` as the mocks read them (lower-cased runs of ASCII letters and digits, plus
// any non-ASCII bytes), in order, function words included.
std::vector<std::string> mock_words(std::string_view text);

}  // namespace sluice::gateway
