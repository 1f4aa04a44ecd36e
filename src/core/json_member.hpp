#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sluice::core {

// Bytes [begin, end) of a JSON text.
struct TextSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Where the value of member `key` of the top-level object of `json` (text a parser accepted)
// lies, found by a scan that builds nothing, so that a body can be sent on with that one value
// replaced and every other byte as the client wrote it. nullopt when `key` is absent, appears
// more than once, or any top-level key is written with escapes: which of two spellings of one
// key a parser keeps is its own choice, so such a body must be rebuilt from its parsed form.
std::optional<TextSpan> top_level_member(std::string_view json, std::string_view key);

}  // namespace sluice::core
