#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::rag {

// The HTML elements whose tags change how text is extracted, and the most common inline ones (an
// open element with a known tag needs no copy of its name); every other name is `other`.
enum class HtmlTag : std::uint8_t {
  other,
  // document and head
  html,
  head,
  body,
  title,
  meta,
  link,
  base,
  style,
  script,
  noscript,
  template_,
  frameset,
  // dropped with their content
  svg,
  math,
  iframe,
  object,
  embed,
  canvas,
  select,
  button,
  nav,
  aside,
  applet,
  marquee,
  // sectioning and blocks
  header,
  footer,
  article,
  main,
  p,
  div,
  section,
  blockquote,
  figure,
  figcaption,
  address,
  dl,
  dt,
  dd,
  form,
  fieldset,
  legend,
  details,
  summary,
  center,
  hr,
  hgroup,
  search,
  dialog,
  menu,
  dir,
  h1,
  h2,
  h3,
  h4,
  h5,
  h6,
  // lists, tables, preformatted text
  ul,
  ol,
  li,
  table,
  caption,
  colgroup,
  col,
  thead,
  tbody,
  tfoot,
  tr,
  td,
  th,
  pre,
  listing,
  xmp,
  plaintext,
  textarea,
  noembed,
  noframes,
  // void elements not named above, and option lists
  br,
  area,
  img,
  input,
  param,
  source,
  track,
  wbr,
  keygen,
  frame,
  basefont,
  bgsound,
  option,
  optgroup,
  // inline
  a,
  abbr,
  b,
  cite,
  code,
  em,
  i,
  kbd,
  label,
  small,
  span,
  strong,
  sub,
  sup,
  tt,
  u,
  var,
  count_
};

// The tag of an ASCII-lowercased element name.
HtmlTag html_tag(std::string_view lowercase_name);

// Elements without content or end tag (br, img, ...): never left open.
bool is_void_element(HtmlTag tag);

// The standard's "special" category: an end tag of a non-special element does not close past
// one of these.
bool is_special_element(HtmlTag tag);

// Elements whose start tag closes an open <p> (block-level starts, per the "in body" rules).
bool closes_paragraph(HtmlTag tag);

// Boundaries of the standard's default element scope (html, table, td, th, caption, ...).
bool is_scope_boundary(HtmlTag tag);

// 1..6 for h1..h6, else 0.
int heading_level(HtmlTag tag);

}  // namespace sluice::rag
