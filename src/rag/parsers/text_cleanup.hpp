#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "rag/parsed_document.hpp"

namespace sluice::rag {

// Helpers shared by the parsers.

// The bytes of a text format (plain, Markdown, HTML) as UTF-8 the parsers can trust: without a
// byte order mark, with CRLF and CR line ends as LF, form feeds as blank lines and other control
// characters as spaces, and each ill-formed byte replaced by U+FFFD. Binary data (a NUL byte, or
// more than 1 in 16 bytes ill-formed) is an unprocessable error naming `format`.
Result<std::string> decode_text_input(std::string_view bytes, std::string_view format);

// `text` with every run of whitespace (ASCII spaces and controls, NBSP, the U+2000 spaces) as one
// ASCII space, trimmed; `keep_newlines` keeps line breaks (runs of blank lines become one).
std::string collapse_whitespace(std::string_view text, bool keep_newlines = false);

// Appends a block unless its text is empty.
void add_block(ParsedDocument& document, BlockKind kind, std::string text, int level = 0,
               int page = 0);

}  // namespace sluice::rag
