#pragma once

#include <cstddef>
#include <string>

namespace sluice::rag {

// gumbo's tree construction checks element scopes by walking the stack of open elements, so its
// time grows with input size times nesting depth: 100,000 unclosed <div>s take minutes. Browsers
// cap the depth too (Chromium at 512). This pre-pass estimates the depth from the tags themselves
// (elements with optional end tags, void and self-closed ones do not nest; comments and the text
// of script, style and the like are skipped) and removes start tags beyond `max_depth`, with as
// many of the end tags that follow, so their text stays at the deepest allowed level. Returns
// whether `html` changed.
inline constexpr std::size_t kMaxHtmlNesting = 512;
bool limit_html_nesting(std::string& html, std::size_t max_depth = kMaxHtmlNesting);

}  // namespace sluice::rag
