#pragma once

#include <cstddef>
#include <string_view>

#include "rag/parsers/html_tags.hpp"
#include "rag/parsers/html_tokenizer.hpp"

namespace sluice::rag {

// What the tree builder reports: a depth-first walk of the document's element tree, each open
// matched by one close (void elements open and close at once). `start_tag` holds the element's
// attributes; nullptr for an element the markup implies without a tag.
class HtmlTreeHandler {
 public:
  virtual ~HtmlTreeHandler() = default;
  virtual void open(HtmlTag tag, const HtmlToken* start_tag) = 0;
  virtual void close(HtmlTag tag) = 0;
  virtual void text(std::string_view text) = 0;
  // Text directly inside a table, row group or row, outside any cell: browsers show it before
  // the table ("foster parenting").
  virtual void table_text(std::string_view text) = 0;
};

// Browsers cap the depth of the element tree too (Chromium at 512).
inline constexpr std::size_t kMaxHtmlNesting = 512;

// Tokenizes `html` (valid UTF-8, LF line ends) and reports its element tree to `handler`, with
// the implied ends of the standard's tree construction that shape text: void elements never
// stay open; <p> is closed by block starts and </p> (a stray </p> is an empty paragraph); <li>,
// <dt>/<dd>, <option> by their next sibling; table rows and cells by the next row or cell (a
// cell outside a row gets one; table parts outside a table are ignored); a heading by another;
// an end tag closes up to its element when that is in scope and is ignored otherwise. html, head
// and body tags are not reported; a line break right after <pre>, <listing> or <textarea> is
// dropped. Start tags beyond `max_depth` open elements are dropped, with as many of the end tags
// that follow, so their text stays at the deepest allowed level: memory and time stay linear in the
// input.
void build_html_tree(std::string_view html, HtmlTreeHandler& handler,
                     std::size_t max_depth = kMaxHtmlNesting);

}  // namespace sluice::rag
