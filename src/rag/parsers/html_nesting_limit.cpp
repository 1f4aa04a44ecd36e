#include "rag/parsers/html_nesting_limit.hpp"

#include <string_view>

#include "core/strings.hpp"

namespace sluice::rag {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// Elements that never hold others open: void elements, and those whose end tag is optional
// (the next sibling closes them), which documents routinely leave unclosed.
bool does_not_nest(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "area",   "base",     "br",    "col",    "embed",    "hr",       "img",     "input",
      "link",   "meta",     "param", "source", "track",    "wbr",      "p",       "li",
      "dt",     "dd",       "tr",    "td",     "th",       "thead",    "tbody",   "tfoot",
      "option", "optgroup", "rb",    "rt",     "rp",       "colgroup", "caption", "html",
      "head",   "body",     "frame", "keygen", "basefont", "bgsound",  "image",   "isindex"};
  for (std::string_view candidate : kNames)
    if (name == candidate) return true;
  return false;
}

// Elements whose content is text up to their end tag.
bool holds_raw_text(std::string_view name) {
  static constexpr std::string_view kNames[] = {"script", "style",   "textarea", "title",    "xmp",
                                                "iframe", "noembed", "noframes", "plaintext"};
  for (std::string_view candidate : kNames)
    if (name == candidate) return true;
  return false;
}

std::size_t find_ignoring_case(std::string_view text, std::string_view needle, std::size_t from) {
  for (std::size_t pos = text.find('<', from); pos != std::string_view::npos;
       pos = text.find('<', pos + 1))
    if (core::iequals(text.substr(pos, needle.size()), needle)) return pos;
  return std::string_view::npos;
}

}  // namespace

bool limit_html_nesting(std::string& html, std::size_t max_depth) {
  const std::string_view text = html;
  std::string out;         // built only once a tag has to go
  std::size_t copied = 0;  // text[0, copied) is in `out` or needs no copy
  std::size_t depth = 0;
  std::size_t removed_open = 0;  // start tags removed whose end tags are still to come
  const auto remove = [&](std::size_t begin, std::size_t end) {
    if (out.empty()) out.reserve(text.size());
    out.append(text.substr(copied, begin - copied));
    copied = end;
  };
  for (std::size_t pos = text.find('<'); pos != std::string_view::npos; pos = text.find('<', pos)) {
    if (text.substr(pos, 4) == "<!--") {
      const std::size_t end = text.find("-->", pos + 4);
      if (end == std::string_view::npos) break;
      pos = end + 3;
      continue;
    }
    const bool closing = text.substr(pos, 2) == "</";
    std::size_t name_end = pos + (closing ? 2 : 1);
    while (name_end < text.size() && is_name_char(text[name_end])) ++name_end;
    const std::size_t name_start = pos + (closing ? 2 : 1);
    if (name_end == name_start) {
      ++pos;
      continue;
    }
    const std::string name = core::lower(text.substr(name_start, name_end - name_start));
    std::size_t tag_end = text.find('>', name_end);
    if (tag_end == std::string_view::npos) break;
    ++tag_end;
    if (closing) {
      if (!does_not_nest(name)) {
        if (removed_open > 0) {
          --removed_open;
          remove(pos, tag_end);
        } else if (depth > 0) {
          --depth;
        }
      }
    } else if (holds_raw_text(name)) {
      const std::size_t end = find_ignoring_case(text, "</" + name, tag_end);
      if (end == std::string_view::npos) break;
      pos = end + 2;  // its end tag is skipped like its start tag
      continue;
    } else if (!does_not_nest(name) && text[tag_end - 2] != '/') {
      if (depth < max_depth) {
        ++depth;
      } else {
        ++removed_open;
        remove(pos, tag_end);
      }
    }
    pos = tag_end;
  }
  if (copied == 0) return false;
  out.append(text.substr(copied));
  html = std::move(out);
  return true;
}

}  // namespace sluice::rag
