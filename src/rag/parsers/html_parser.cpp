#include "rag/parsers/html_parser.hpp"

#include <gumbo.h>

#include <string>
#include <vector>

#include "rag/parsers/html_nesting_limit.hpp"
#include "rag/parsers/text_cleanup.hpp"

namespace sluice::rag {

namespace {

bool is_element(const GumboNode* node) { return node->type == GUMBO_NODE_ELEMENT; }
GumboTag tag_of(const GumboNode* node) {
  return is_element(node) ? node->v.element.tag : GUMBO_TAG_UNKNOWN;
}

// Whether an element and everything under it is left out. `in_content`: inside article or main.
bool is_dropped(const GumboNode* node, bool in_content) {
  if (node->type == GUMBO_NODE_TEMPLATE || node->type == GUMBO_NODE_COMMENT) return true;
  if (!is_element(node)) return false;
  switch (node->v.element.tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
      return true;
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
      if (!in_content) return true;
      break;
    default:
      break;
  }
  return gumbo_get_attribute(&node->v.element.attributes, "hidden") != nullptr;
}

bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_HGROUP:
      return true;
    default:
      return false;
  }
}

int heading_level(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_H1:
      return 1;
    case GUMBO_TAG_H2:
      return 2;
    case GUMBO_TAG_H3:
      return 3;
    case GUMBO_TAG_H4:
      return 4;
    case GUMBO_TAG_H5:
      return 5;
    case GUMBO_TAG_H6:
      return 6;
    default:
      return 0;
  }
}

std::string_view text_of_node(const GumboNode* node) {
  switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      return node->v.text.text;
    default:
      return {};
  }
}

// Source line breaks are spaces in HTML; only <br> (appended as '\n') breaks a line.
void append_flowing(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c == '\n' || c == '\r' || c == '\t' || c == '\f' ? ' ' : c);
}

// Walks the subtree under `root` depth-first without recursion, calling visitor.enter(node) on the
// way down (false: skip its children, and exit is not called) and visitor.exit(node) on the way up.
template <class Visitor>
void walk(const GumboNode* root, Visitor& visitor) {
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
  };
  std::vector<Frame> stack;
  if (!visitor.enter(root)) return;
  stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const bool has_children = is_element(frame.node) || frame.node->type == GUMBO_NODE_TEMPLATE;
    const GumboVector* children = has_children ? &frame.node->v.element.children : nullptr;
    if (children == nullptr || frame.next_child >= children->length) {
      visitor.exit(frame.node);
      stack.pop_back();
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children->data[frame.next_child++]);
    if (visitor.enter(child)) stack.push_back({child, 0});
  }
}

// The text under a node: flowing text collapsed, <br> and block boundaries as line breaks when
// `keep_lines`, verbatim when `verbatim` (pre).
std::string text_content(const GumboNode* root, bool keep_lines, bool verbatim = false) {
  struct Visitor {
    std::string out;
    bool verbatim;
    bool enter(const GumboNode* node) {
      if (is_dropped(node, true)) return false;
      if (verbatim) {
        out.append(text_of_node(node));
      } else {
        append_flowing(out, text_of_node(node));
      }
      if (tag_of(node) == GUMBO_TAG_BR) out.push_back('\n');
      if (is_block(tag_of(node))) out.push_back('\n');
      return true;
    }
    void exit(const GumboNode* node) {
      if (is_block(tag_of(node))) out.push_back('\n');
    }
  } visitor{{}, verbatim};
  walk(root, visitor);
  if (verbatim) return std::move(visitor.out);
  return collapse_whitespace(visitor.out, keep_lines);
}

// A list as lines "- item" / "1. item", indented two spaces per nesting level.
std::string render_list(const GumboNode* root) {
  struct Line {
    std::size_t depth;
    std::string marker;
    std::string raw;
  };
  struct Visitor {
    std::vector<Line> lines;
    std::vector<std::pair<bool, int>> lists;  // ordered?, items so far
    bool enter(const GumboNode* node) {
      if (is_dropped(node, true)) return false;
      const GumboTag tag = tag_of(node);
      if (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) lists.emplace_back(tag == GUMBO_TAG_OL, 0);
      if (tag == GUMBO_TAG_LI && !lists.empty()) {
        auto& [ordered, items] = lists.back();
        ++items;
        lines.push_back({lists.size() - 1, ordered ? std::to_string(items) + ". " : "- ", {}});
      }
      const std::string_view text = text_of_node(node);
      if (!text.empty()) {
        if (lines.empty()) lines.push_back({0, "- ", {}});
        append_flowing(lines.back().raw, text);
      }
      return true;
    }
    void exit(const GumboNode* node) {
      const GumboTag tag = tag_of(node);
      if ((tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) && !lists.empty()) lists.pop_back();
    }
  } visitor;
  walk(root, visitor);
  std::string out;
  for (const Line& line : visitor.lines) {
    const std::string text = collapse_whitespace(line.raw);
    if (text.empty()) continue;
    if (!out.empty()) out.push_back('\n');
    out.append(2 * line.depth, ' ').append(line.marker).append(text);
  }
  return out;
}

// A table as "| a | b |" rows; cells of tables nested inside keep their text in the outer cell.
std::string render_table(const GumboNode* root) {
  struct Visitor {
    std::vector<std::vector<std::string>> rows;
    int depth = 0;  // of tables
    bool enter(const GumboNode* node) {
      if (is_dropped(node, true)) return false;
      const GumboTag tag = tag_of(node);
      if (tag == GUMBO_TAG_TABLE) ++depth;
      if (depth == 1 && tag == GUMBO_TAG_TR) rows.emplace_back();
      if (depth == 1 && (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH)) cell(true);
      if (tag == GUMBO_TAG_BR) cell(false).push_back(' ');
      const std::string_view text = text_of_node(node);
      if (!text.empty()) append_flowing(cell(false), text);
      return true;
    }
    void exit(const GumboNode* node) {
      if (tag_of(node) == GUMBO_TAG_TABLE) --depth;
      if (is_block(tag_of(node)) && !rows.empty() && !rows.back().empty())
        rows.back().back().push_back(' ');
    }
    std::string& cell(bool fresh) {
      if (rows.empty()) rows.emplace_back();
      if (fresh || rows.back().empty()) rows.back().emplace_back();
      return rows.back().back();
    }
  } visitor;
  walk(root, visitor);
  std::string out;
  for (const std::vector<std::string>& row : visitor.rows) {
    std::string line = "|";
    bool any = false;
    for (const std::string& raw : row) {
      const std::string text = collapse_whitespace(raw);
      any = any || !text.empty();
      line.append(" ").append(text).append(" |");
    }
    if (!any) continue;
    if (!out.empty()) out.push_back('\n');
    out.append(line);
  }
  return out;
}

// The document walk: structured elements become blocks; flowing text gathers into paragraphs
// that block boundaries end.
class BlockCollector {
 public:
  explicit BlockCollector(ParsedDocument& document) : document_(document) {}

  bool enter(const GumboNode* node) {
    if (is_dropped(node, content_depth_ > 0)) return false;
    const GumboTag tag = tag_of(node);
    if (const int level = heading_level(tag)) {
      end_paragraph();
      std::string text = text_content(node, false);
      if (level == 1 && first_h1_.empty()) first_h1_ = text;
      add_block(document_, BlockKind::heading, std::move(text), level);
      return false;
    }
    switch (tag) {
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
        end_paragraph();
        add_block(document_, BlockKind::list, render_list(node));
        return false;
      case GUMBO_TAG_TABLE:
        end_paragraph();
        add_block(document_, BlockKind::table, render_table(node));
        return false;
      case GUMBO_TAG_PRE: {
        end_paragraph();
        std::string code = text_content(node, true, true);
        while (!code.empty() && (code.back() == '\n' || code.back() == ' ')) code.pop_back();
        while (!code.empty() && code.front() == '\n') code.erase(0, 1);
        add_block(document_, BlockKind::code, std::move(code));
        return false;
      }
      case GUMBO_TAG_BR:
        paragraph_.push_back('\n');
        return false;
      case GUMBO_TAG_ARTICLE:
      case GUMBO_TAG_MAIN:
        ++content_depth_;
        break;
      default:
        break;
    }
    if (is_block(tag)) end_paragraph();
    append_flowing(paragraph_, text_of_node(node));
    return true;
  }

  void exit(const GumboNode* node) {
    const GumboTag tag = tag_of(node);
    if (tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN) --content_depth_;
    if (is_block(tag)) end_paragraph();
  }

  void end_paragraph() {
    add_block(document_, BlockKind::paragraph, collapse_whitespace(paragraph_, true));
    paragraph_.clear();
  }

  const std::string& first_h1() const { return first_h1_; }

 private:
  ParsedDocument& document_;
  std::string paragraph_;
  std::string first_h1_;
  int content_depth_ = 0;
};

struct GumboTree {
  explicit GumboTree(std::string_view html) {
    options.max_errors = 0;  // parse errors are of no use here; do not spend memory on them
    output = gumbo_parse_with_options(&options, html.data(), html.size());
  }
  ~GumboTree() {
    if (output != nullptr) gumbo_destroy_output(&options, output);
  }
  GumboTree(const GumboTree&) = delete;
  GumboTree& operator=(const GumboTree&) = delete;

  GumboOptions options = kGumboDefaultOptions;
  GumboOutput* output = nullptr;
};

// The text of <title> in <head>.
std::string head_title(const GumboNode* root) {
  if (tag_of(root) != GUMBO_TAG_HTML) return {};
  const GumboVector& children = root->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* head = static_cast<const GumboNode*>(children.data[i]);
    if (tag_of(head) != GUMBO_TAG_HEAD) continue;
    for (unsigned j = 0; j < head->v.element.children.length; ++j) {
      const auto* child = static_cast<const GumboNode*>(head->v.element.children.data[j]);
      if (tag_of(child) == GUMBO_TAG_TITLE) return text_content(child, false);
    }
  }
  return {};
}

}  // namespace

Result<ParsedDocument> parse_html(std::string_view bytes) {
  Result<std::string> text = decode_text_input(bytes, "HTML");
  if (!text) return text.error();
  limit_html_nesting(*text);
  const GumboTree tree(*text);
  if (tree.output == nullptr) return make_error(Errc::internal, "the HTML parser returned no tree");
  ParsedDocument document;
  BlockCollector collector(document);
  walk(tree.output->root, collector);
  collector.end_paragraph();
  document.title = head_title(tree.output->root);
  if (document.title.empty()) document.title = collector.first_h1();
  return document;
}

}  // namespace sluice::rag
