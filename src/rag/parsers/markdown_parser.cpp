#include "rag/parsers/markdown_parser.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <memory>
#include <mutex>
#include <string>

#include "rag/parsers/text_cleanup.hpp"

namespace sluice::rag {

namespace {

constexpr int kMaxNesting = 32;

struct ParserDeleter {
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterDeleter {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};

void attach_extensions(cmark_parser* parser) {
  static std::once_flag registered;  // the registry is global and not guarded by cmark
  std::call_once(registered, cmark_gfm_core_extensions_ensure_registered);
  for (const char* name : {"table", "strikethrough", "autolink"})
    if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, extension);
}

bool has_type(cmark_node* node, std::string_view type_name) {
  const char* name = cmark_node_get_type_string(node);
  return name != nullptr && type_name == name;
}

std::string_view literal(cmark_node* node) {
  const char* text = cmark_node_get_literal(node);
  return text == nullptr ? std::string_view{} : std::string_view{text};
}

// The text of everything under `node`, walked without recursion: blocks end with a line break,
// soft breaks are spaces, raw HTML is dropped.
std::string text_of(cmark_node* node) {
  std::string out;
  std::unique_ptr<cmark_iter, IterDeleter> iter{cmark_iter_new(node)};
  for (cmark_event_type event; (event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
    cmark_node* current = cmark_iter_get_node(iter.get());
    const cmark_node_type type = cmark_node_get_type(current);
    if (event == CMARK_EVENT_EXIT) {
      if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING || type == CMARK_NODE_ITEM ||
          has_type(current, "table_row") || has_type(current, "table_header"))
        out.push_back('\n');
      if (has_type(current, "table_cell")) out.push_back(' ');
      continue;
    }
    if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK) {
      out.append(literal(current));
    } else if (type == CMARK_NODE_SOFTBREAK) {
      out.push_back(' ');
    } else if (type == CMARK_NODE_LINEBREAK) {
      out.push_back('\n');
    }
  }
  return out;
}

std::string inline_text(cmark_node* node) { return collapse_whitespace(text_of(node), true); }

class BlockCollector {
 public:
  explicit BlockCollector(ParsedDocument& document) : document_(document) {}

  void add_children(cmark_node* parent, int depth) {
    for (cmark_node* child = cmark_node_first_child(parent); child != nullptr;
         child = cmark_node_next(child))
      add(child, depth);
  }

 private:
  void add(cmark_node* node, int depth) {
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_HEADING: {
        const int level = cmark_node_get_heading_level(node);
        std::string text = collapse_whitespace(text_of(node));
        if (level == 1 && document_.title.empty()) document_.title = text;
        add_block(document_, BlockKind::heading, std::move(text), level);
        return;
      }
      case CMARK_NODE_LIST: {
        std::string text;
        render_list(node, 0, text);
        add_block(document_, BlockKind::list, std::move(text));
        return;
      }
      case CMARK_NODE_CODE_BLOCK: {
        std::string_view code = literal(node);
        while (code.ends_with('\n')) code.remove_suffix(1);
        add_block(document_, BlockKind::code, std::string(code));
        return;
      }
      case CMARK_NODE_HTML_BLOCK:
      case CMARK_NODE_THEMATIC_BREAK:
        return;
      case CMARK_NODE_BLOCK_QUOTE:
      case CMARK_NODE_FOOTNOTE_DEFINITION:
        if (depth < kMaxNesting) {
          add_children(node, depth + 1);
          return;
        }
        break;
      default:
        if (has_type(node, "table")) {
          add_block(document_, BlockKind::table, render_table(node));
          return;
        }
        break;
    }
    add_block(document_, BlockKind::paragraph, inline_text(node));
  }

  static std::string render_table(cmark_node* table) {
    std::string out;
    for (cmark_node* row = cmark_node_first_child(table); row != nullptr;
         row = cmark_node_next(row)) {
      if (!out.empty()) out.push_back('\n');
      out.push_back('|');
      for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr;
           cell = cmark_node_next(cell))
        out.append(" ").append(collapse_whitespace(text_of(cell))).append(" |");
    }
    return out;
  }

  static void render_list(cmark_node* list, int depth, std::string& out) {
    const bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    int number = cmark_node_get_list_start(list);
    const std::string indent(2 * static_cast<std::size_t>(depth), ' ');
    for (cmark_node* item = cmark_node_first_child(list); item != nullptr;
         item = cmark_node_next(item), ++number) {
      if (!out.empty()) out.push_back('\n');
      out.append(indent).append(ordered ? std::to_string(number) + ". " : "- ");
      bool first = true;
      for (cmark_node* part = cmark_node_first_child(item); part != nullptr;
           part = cmark_node_next(part), first = false) {
        if (cmark_node_get_type(part) == CMARK_NODE_LIST && depth < kMaxNesting) {
          render_list(part, depth + 1, out);
          continue;
        }
        if (!first) out.append("\n").append(indent).append("  ");
        std::string text = cmark_node_get_type(part) == CMARK_NODE_CODE_BLOCK
                               ? std::string(literal(part))
                               : inline_text(part);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        out.append(text);
      }
    }
  }

  ParsedDocument& document_;
};

}  // namespace

Result<ParsedDocument> parse_markdown(std::string_view bytes) {
  Result<std::string> text = decode_text_input(bytes, "Markdown");
  if (!text) return text.error();
  std::unique_ptr<cmark_parser, ParserDeleter> parser{cmark_parser_new(CMARK_OPT_DEFAULT)};
  attach_extensions(parser.get());
  cmark_parser_feed(parser.get(), text->data(), text->size());
  std::unique_ptr<cmark_node, NodeDeleter> root{cmark_parser_finish(parser.get())};
  ParsedDocument document;
  if (root == nullptr) return make_error(Errc::internal, "the Markdown parser returned no tree");
  BlockCollector(document).add_children(root.get(), 0);
  return document;
}

}  // namespace sluice::rag
