#pragma once

#include <string_view>

#include "core/result.hpp"
#include "rag/parsed_document.hpp"

namespace sluice::rag {

// Plain text: one paragraph per run of non-blank lines (lines kept, trailing spaces trimmed); no
// title. Binary data is an unprocessable error; ill-formed UTF-8 bytes become U+FFFD.
Result<ParsedDocument> parse_plain_text(std::string_view bytes);

}  // namespace sluice::rag
