#pragma once

#include <string_view>

#include "core/result.hpp"
#include "rag/parsed_document.hpp"

namespace sluice::rag {

// HTML via Sluice's own HTML5-tokenizer-based extractor (rag/parsers/html_tokenizer and
// html_tree_builder: entities decoded, the implied ends of malformed markup repaired the way
// browsers do). Dropped: head content (title, meta, style, script), noscript, template, svg,
// iframe, object, embed, canvas, select, button, nav, aside, elements with the `hidden`
// attribute, and header and footer unless they sit inside an article or main (an article's own
// header holds its title). Kept: h1-h6 as headings, text of block elements (p, div, blockquote,
// ...) as paragraphs with whitespace collapsed and <br> as a line break, ul/ol as lists ("- item",
// "1. item", nested items indented), tables as "| a | b |" rows (a nested table's text stays in
// its cell), pre as code verbatim. Title: the first <title> before body content, else the first
// h1. Elements nested deeper than kMaxHtmlNesting are flattened; nothing recurses.
Result<ParsedDocument> parse_html(std::string_view bytes);

}  // namespace sluice::rag
