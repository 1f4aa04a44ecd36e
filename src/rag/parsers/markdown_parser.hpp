#pragma once

#include <string_view>

#include "core/result.hpp"
#include "rag/parsed_document.hpp"

namespace sluice::rag {

// Markdown (CommonMark + GFM tables, strikethrough, autolinks) via cmark-gfm: headings, paragraphs
// (inline markup reduced to its text, images to their alt text), lists kept whole ("- item" or
// "3. item", nested items indented by two spaces), tables as "| a | b |" rows, fenced and indented
// code verbatim, block quotes as their blocks; raw HTML blocks and thematic breaks dropped. Title:
// the first level-1 heading. Nesting deeper than 32 levels is flattened to text (no deep
// recursion). Binary data is an unprocessable error; ill-formed UTF-8 bytes become U+FFFD.
Result<ParsedDocument> parse_markdown(std::string_view bytes);

}  // namespace sluice::rag
