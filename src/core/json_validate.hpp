#pragma once

#include <string_view>

namespace sluice::core {

// Whether `text` is one complete, valid JSON value (surrounding whitespace allowed), checked in
// one pass without building a document: an upstream body cut before its final brace is caught
// without paying for a parse of megabytes of embeddings.
bool is_complete_json(std::string_view text);

}  // namespace sluice::core
