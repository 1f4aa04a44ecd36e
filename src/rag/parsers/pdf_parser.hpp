#pragma once

#include <string_view>

#include "core/result.hpp"
#include "rag/parsed_document.hpp"

namespace sluice::rag {

// PDF via poppler-cpp, from memory: the text layer of each page in reading order, split into
// paragraphs on blank lines, with each paragraph's lines joined by spaces (a word hyphenated
// across a line break is joined back) and Block::page set to the 1-based page number. Title:
// the document information's Title. No headings (a PDF does not mark them). Errors
// (unprocessable): not a PDF, damaged beyond repair, encrypted with a password, more than
// kMaxPdfPages pages. A PDF without a text layer (scanned images) parses to no blocks.
inline constexpr int kMaxPdfPages = 10000;
Result<ParsedDocument> parse_pdf(std::string_view bytes);

}  // namespace sluice::rag
