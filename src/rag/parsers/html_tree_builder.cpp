#include "rag/parsers/html_tree_builder.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::rag {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

bool is_table_part(HtmlTag tag) {
  switch (tag) {
    case HtmlTag::caption:
    case HtmlTag::colgroup:
    case HtmlTag::col:
    case HtmlTag::thead:
    case HtmlTag::tbody:
    case HtmlTag::tfoot:
    case HtmlTag::tr:
    case HtmlTag::td:
    case HtmlTag::th:
      return true;
    default:
      return false;
  }
}

bool is_row_group(HtmlTag tag) {
  return tag == HtmlTag::thead || tag == HtmlTag::tbody || tag == HtmlTag::tfoot;
}
// Where text is out of place: browsers show it before the table.
bool holds_rows(HtmlTag tag) {
  return tag == HtmlTag::table || tag == HtmlTag::tr || is_row_group(tag);
}
bool is_table(HtmlTag tag) { return tag == HtmlTag::table; }
bool is_cell(HtmlTag tag) { return tag == HtmlTag::td || tag == HtmlTag::th; }
bool is_definition(HtmlTag tag) { return tag == HtmlTag::dd || tag == HtmlTag::dt; }
bool is_foreign_root(HtmlTag tag) { return tag == HtmlTag::svg || tag == HtmlTag::math; }

// The standard's scopes, by the elements that bound them.
bool bounds_default_scope(HtmlTag tag) { return is_scope_boundary(tag); }
bool bounds_button_scope(HtmlTag tag) { return is_scope_boundary(tag) || tag == HtmlTag::button; }
bool bounds_list_item_scope(HtmlTag tag) {
  return is_scope_boundary(tag) || tag == HtmlTag::ul || tag == HtmlTag::ol;
}
bool bounds_table_scope(HtmlTag tag) {
  return tag == HtmlTag::table || tag == HtmlTag::template_ || tag == HtmlTag::html;
}
// A new <li>, <dd> or <dt> closes an open one unless a special element (other than address,
// div or p) lies between them, such as a nested list.
bool bounds_item_search(HtmlTag tag) {
  return is_special_element(tag) && tag != HtmlTag::address && tag != HtmlTag::div &&
         tag != HtmlTag::p;
}

class TreeBuilder {
 public:
  TreeBuilder(HtmlTreeHandler& handler, std::size_t max_depth)
      : handler_(handler), max_depth_(max_depth) {}

  void text(std::string_view text) {
    if (std::exchange(skip_newline_, false) && text.starts_with('\n')) text.remove_prefix(1);
    if (text.empty()) return;
    if (!stack_.empty() && holds_rows(stack_.back().tag) &&
        text.find_first_not_of(" \n\t") != std::string_view::npos) {
      handler_.table_text(text);
    } else {
      handler_.text(text);
    }
  }

  void start_tag(const HtmlToken& token) {
    skip_newline_ = false;
    const HtmlTag tag = html_tag(token.text);
    if (tag == HtmlTag::html || tag == HtmlTag::head || tag == HtmlTag::body ||
        tag == HtmlTag::frameset)
      return;
    if (is_table_part(tag) && tables_ == 0) return;
    if (closes_paragraph(tag) && paragraphs_ > 0)
      close_found(find_open([](HtmlTag t) { return t == HtmlTag::p; }, bounds_button_scope));
    switch (tag) {
      case HtmlTag::li:
        close_found(find_open([](HtmlTag t) { return t == HtmlTag::li; }, bounds_item_search));
        break;
      case HtmlTag::dd:
      case HtmlTag::dt:
        close_found(find_open(is_definition, bounds_item_search));
        break;
      case HtmlTag::h1:
      case HtmlTag::h2:
      case HtmlTag::h3:
      case HtmlTag::h4:
      case HtmlTag::h5:
      case HtmlTag::h6:
        if (!stack_.empty() && heading_level(stack_.back().tag) > 0) pop_to(stack_.size() - 1);
        break;
      case HtmlTag::td:
      case HtmlTag::th:
        close_found(find_open(is_cell, bounds_table_scope));
        if (find_open([](HtmlTag t) { return t == HtmlTag::tr; }, bounds_table_scope) == kNone)
          push(HtmlTag::tr, {}, nullptr);  // a cell outside a row gets one
        break;
      case HtmlTag::tr:
        close_found(find_open([](HtmlTag t) { return t == HtmlTag::tr; }, bounds_table_scope));
        break;
      case HtmlTag::caption:
      case HtmlTag::colgroup:
      case HtmlTag::thead:
      case HtmlTag::tbody:
      case HtmlTag::tfoot:
        // These start over at the table's level: open cells, rows and row groups end.
        if (const std::size_t table = find_open(is_table, bounds_table_scope); table != kNone)
          pop_to(table + 1);
        break;
      case HtmlTag::option:
      case HtmlTag::optgroup:
        if (!stack_.empty() && stack_.back().tag == HtmlTag::option) pop_to(stack_.size() - 1);
        if (tag == HtmlTag::optgroup && !stack_.empty() && stack_.back().tag == HtmlTag::optgroup)
          pop_to(stack_.size() - 1);
        break;
      default:
        break;
    }
    if (is_void_element(tag) || (foreign_ > 0 && token.self_closing)) {
      handler_.open(tag, &token);
      handler_.close(tag);
      return;
    }
    push(tag, token.text, &token);
  }

  void end_tag(const HtmlToken& token) {
    skip_newline_ = false;
    const HtmlTag tag = html_tag(token.text);
    if (tag == HtmlTag::br) {  // </br> is read as <br>
      handler_.open(tag, nullptr);
      handler_.close(tag);
      return;
    }
    if (is_void_element(tag) || tag == HtmlTag::html || tag == HtmlTag::head ||
        tag == HtmlTag::body || tag == HtmlTag::frameset)
      return;
    if (overflow_ > 0) {  // the end tag of a start tag dropped beyond the depth limit
      --overflow_;
      return;
    }
    const auto same = [tag](HtmlTag t) { return t == tag; };
    switch (tag) {
      case HtmlTag::p: {
        const std::size_t found = find_open(same, bounds_button_scope);
        if (found == kNone) {  // a stray </p> is an empty paragraph
          handler_.open(tag, nullptr);
          handler_.close(tag);
        }
        close_found(found);
        return;
      }
      case HtmlTag::li:
        close_found(find_open(same, bounds_list_item_scope));
        return;
      case HtmlTag::h1:
      case HtmlTag::h2:
      case HtmlTag::h3:
      case HtmlTag::h4:
      case HtmlTag::h5:
      case HtmlTag::h6:
        close_found(
            find_open([](HtmlTag t) { return heading_level(t) > 0; }, bounds_default_scope));
        return;
      default:
        break;
    }
    if (tag == HtmlTag::table || is_table_part(tag)) {
      close_found(find_open(same, bounds_table_scope));
    } else if (is_special_element(tag)) {
      close_found(find_open(same, bounds_default_scope));
    } else {
      close_found(find_named(tag, token.text));
    }
  }

  void finish() { pop_to(0); }

 private:
  struct Element {
    HtmlTag tag;
    std::uint32_t name_offset;  // in names_, for HtmlTag::other
    std::uint32_t name_size;
  };

  // The index of the topmost open element `matches` accepts, unless one `bounds` accepts comes
  // first; kNone if there is none.
  template <class Matches, class Bounds>
  std::size_t find_open(Matches matches, Bounds bounds) const {
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (matches(stack_[i].tag)) return i;
      if (bounds(stack_[i].tag)) return kNone;
    }
    return kNone;
  }

  // The end tag of a non-special element closes the topmost element of its name, unless a
  // special element comes first.
  std::size_t find_named(HtmlTag tag, std::string_view name) const {
    for (std::size_t i = stack_.size(); i-- > 0;) {
      const Element& element = stack_[i];
      if (element.tag == tag &&
          (tag != HtmlTag::other ||
           std::string_view(names_).substr(element.name_offset, element.name_size) == name))
        return i;
      if (is_special_element(element.tag)) return kNone;
    }
    return kNone;
  }

  void close_found(std::size_t index) {
    if (index != kNone) pop_to(index);
  }

  void push(HtmlTag tag, std::string_view name, const HtmlToken* start_tag) {
    if (stack_.size() >= max_depth_) {
      ++overflow_;
      return;
    }
    Element element{tag, static_cast<std::uint32_t>(names_.size()), 0};
    if (tag == HtmlTag::other) {
      names_.append(name);
      element.name_size = static_cast<std::uint32_t>(name.size());
    }
    stack_.push_back(element);
    count(tag, 1);
    handler_.open(tag, start_tag);
    // A line break right after these start tags is not part of their text.
    skip_newline_ = tag == HtmlTag::pre || tag == HtmlTag::listing || tag == HtmlTag::textarea;
  }

  // Closes the open elements from the top down to stack_[size].
  void pop_to(std::size_t size) {
    while (stack_.size() > size) {
      const Element element = stack_.back();
      stack_.pop_back();
      names_.resize(element.name_offset);
      count(element.tag, -1);
      handler_.close(element.tag);
    }
  }

  void count(HtmlTag tag, int delta) {
    if (tag == HtmlTag::p) paragraphs_ += delta;
    if (tag == HtmlTag::table) tables_ += delta;
    if (is_foreign_root(tag)) foreign_ += delta;
  }

  HtmlTreeHandler& handler_;
  const std::size_t max_depth_;
  std::vector<Element> stack_;
  std::string names_;   // the names of the open `other` elements, in stack order
  int paragraphs_ = 0;  // open p elements
  int tables_ = 0;
  int foreign_ = 0;           // svg and math: their self-closing tags close at once
  std::size_t overflow_ = 0;  // start tags dropped beyond the depth limit
  bool skip_newline_ = false;
};

}  // namespace

void build_html_tree(std::string_view html, HtmlTreeHandler& handler, std::size_t max_depth) {
  HtmlTokenizer tokenizer(html);
  TreeBuilder builder(handler, max_depth);
  while (true) {
    const HtmlToken& token = tokenizer.next();
    switch (token.kind) {
      case HtmlToken::Kind::text:
        builder.text(token.text);
        break;
      case HtmlToken::Kind::start_tag:
        builder.start_tag(token);
        break;
      case HtmlToken::Kind::end_tag:
        builder.end_tag(token);
        break;
      case HtmlToken::Kind::end_of_input:
        builder.finish();
        return;
    }
  }
}

}  // namespace sluice::rag
