#include "rag/parsers/html_parser.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "rag/parsers/html_tree_builder.hpp"
#include "rag/parsers/text_cleanup.hpp"

namespace sluice::rag {

namespace {

// Whether an element and everything under it is left out. `in_content`: inside article or main.
bool is_dropped(HtmlTag tag, const HtmlToken* start_tag, bool in_content) {
  switch (tag) {
    case HtmlTag::title:  // the document's title when it comes first, never body text
    case HtmlTag::script:
    case HtmlTag::style:
    case HtmlTag::noscript:
    case HtmlTag::template_:
    case HtmlTag::svg:
    case HtmlTag::iframe:
    case HtmlTag::object:
    case HtmlTag::embed:
    case HtmlTag::canvas:
    case HtmlTag::select:
    case HtmlTag::button:
    case HtmlTag::nav:
    case HtmlTag::aside:
      return true;
    case HtmlTag::header:
    case HtmlTag::footer:
      if (!in_content) return true;
      break;
    default:
      break;
  }
  return start_tag != nullptr && start_tag->attribute("hidden") != nullptr;
}

// Elements that end a paragraph where they start and where they end.
bool is_block(HtmlTag tag) {
  switch (tag) {
    case HtmlTag::p:
    case HtmlTag::div:
    case HtmlTag::section:
    case HtmlTag::article:
    case HtmlTag::main:
    case HtmlTag::header:
    case HtmlTag::footer:
    case HtmlTag::blockquote:
    case HtmlTag::figure:
    case HtmlTag::figcaption:
    case HtmlTag::address:
    case HtmlTag::dl:
    case HtmlTag::dt:
    case HtmlTag::dd:
    case HtmlTag::form:
    case HtmlTag::fieldset:
    case HtmlTag::legend:
    case HtmlTag::details:
    case HtmlTag::summary:
    case HtmlTag::center:
    case HtmlTag::hr:
    case HtmlTag::li:
    case HtmlTag::tr:
    case HtmlTag::td:
    case HtmlTag::th:
    case HtmlTag::caption:
    case HtmlTag::hgroup:
      return true;
    default:
      return false;
  }
}

void replace_line_break(char& c) {
  if (c == '\n' || c == '\r' || c == '\t' || c == '\f') c = ' ';
}

// Source line breaks are spaces in HTML; only <br> (appended as '\n') breaks a line. Text rarely
// holds a control character: words of 8 bytes without one are copied as they are.
void append_flowing(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out.append(text);
  char* chars = out.data() + start;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, chars + i, 8);
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    const bool has_control = ((word - 0x20 * kOnes) & ~word & 0x80 * kOnes) != 0;  // a byte < 0x20
    if (!has_control) continue;
    for (std::size_t j = i; j < i + 8; ++j) replace_line_break(chars[j]);
  }
  for (; i < text.size(); ++i) replace_line_break(chars[i]);
}

// The text of a heading or a pre: flowing text collapsed, or verbatim for pre; <br> and block
// boundaries as line breaks.
class TextCapture {
 public:
  explicit TextCapture(bool verbatim) : verbatim_(verbatim) {}
  void open(HtmlTag tag) {
    if (tag == HtmlTag::br || is_block(tag)) out_.push_back('\n');
  }
  void close(HtmlTag tag) {
    if (is_block(tag)) out_.push_back('\n');
  }
  void text(std::string_view text) {
    if (verbatim_) {
      out_.append(text);
    } else {
      append_flowing(out_, text);
    }
  }
  std::string heading() const { return collapse_whitespace(out_, false); }
  std::string code() const {
    std::string_view code = out_;
    while (!code.empty() && (code.back() == '\n' || code.back() == ' ')) code.remove_suffix(1);
    while (!code.empty() && code.front() == '\n') code.remove_prefix(1);
    return std::string(code);
  }

 private:
  bool verbatim_;
  std::string out_;
};

// A list as lines "- item" / "1. item", indented two spaces per nesting level.
class ListCapture {
 public:
  void open(HtmlTag tag) {
    if (tag == HtmlTag::ul || tag == HtmlTag::ol) lists_.emplace_back(tag == HtmlTag::ol, 0);
    if (tag == HtmlTag::li && !lists_.empty()) {
      auto& [ordered, items] = lists_.back();
      ++items;
      lines_.push_back({lists_.size() - 1, ordered ? std::to_string(items) + ". " : "- ", {}});
    }
  }
  void close(HtmlTag tag) {
    if ((tag == HtmlTag::ul || tag == HtmlTag::ol) && !lists_.empty()) lists_.pop_back();
  }
  void text(std::string_view text) {
    if (text.empty()) return;
    if (lines_.empty()) lines_.push_back({0, "- ", {}});
    append_flowing(lines_.back().raw, text);
  }
  std::string render() const {
    std::string out;
    for (const Line& line : lines_) {
      const std::string text = collapse_whitespace(line.raw);
      if (text.empty()) continue;
      if (!out.empty()) out.push_back('\n');
      out.append(2 * line.depth, ' ').append(line.marker).append(text);
    }
    return out;
  }

 private:
  struct Line {
    std::size_t depth;
    std::string marker;
    std::string raw;
  };
  std::vector<Line> lines_;
  std::vector<std::pair<bool, int>> lists_;  // ordered?, items so far
};

// A table as "| a | b |" rows; cells of tables nested inside keep their text in the outer cell.
class TableCapture {
 public:
  void open(HtmlTag tag) {
    if (tag == HtmlTag::table) ++depth_;
    if (depth_ == 1 && tag == HtmlTag::tr) rows_.emplace_back();
    if (depth_ == 1 && (tag == HtmlTag::td || tag == HtmlTag::th)) cell(true);
    if (tag == HtmlTag::br) cell(false).push_back(' ');
  }
  void close(HtmlTag tag) {
    if (tag == HtmlTag::table) --depth_;
    if (is_block(tag) && !rows_.empty() && !rows_.back().empty())
      rows_.back().back().push_back(' ');
  }
  void text(std::string_view text) {
    if (!text.empty()) append_flowing(cell(false), text);
  }
  // Text out of place in this table (not in a nested one) goes before it.
  void table_text(std::string_view text) {
    if (depth_ == 1) {
      append_flowing(before_, text);
    } else {
      this->text(text);
    }
  }
  const std::string& before() const { return before_; }
  std::string render() const {
    std::string out;
    for (const std::vector<std::string>& row : rows_) {
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

 private:
  std::string& cell(bool fresh) {
    if (rows_.empty()) rows_.emplace_back();
    if (fresh || rows_.back().empty()) rows_.back().emplace_back();
    return rows_.back().back();
  }
  std::vector<std::vector<std::string>> rows_;
  std::string before_;
  int depth_ = 0;  // of tables
};

// The document walk: structured elements (headings, lists, tables, pre) are captured whole into
// one block each; flowing text gathers into paragraphs that block boundaries end.
class BlockCollector final : public HtmlTreeHandler {
 public:
  explicit BlockCollector(ParsedDocument& document) : document_(document) {}

  void open(HtmlTag tag, const HtmlToken* start_tag) override {
    ++depth_;
    if (skip_depth_ > 0) return;
    if (tag == HtmlTag::title && !body_started_ && !title_seen_) {
      title_seen_ = in_title_ = true;
    }
    if (is_dropped(tag, start_tag, content_depth_ > 0 || capture_depth_ > 0)) {
      skip_depth_ = depth_;
      return;
    }
    if (capture_depth_ > 0) {
      std::visit([tag](auto& capture) { capture.open(tag); }, capture_);
      return;
    }
    open_top_level(tag);
  }

  void close(HtmlTag tag) override {
    const int depth = depth_--;
    if (skip_depth_ > 0) {
      if (depth == skip_depth_) {
        skip_depth_ = 0;
        in_title_ = false;
      }
      return;
    }
    if (capture_depth_ > 0) {
      std::visit([tag](auto& capture) { capture.close(tag); }, capture_);
      if (depth == capture_depth_) finish_capture();
      return;
    }
    if (tag == HtmlTag::article || tag == HtmlTag::main) --content_depth_;
    if (is_block(tag)) end_paragraph();
  }

  void text(std::string_view text) override {
    if (skip_depth_ > 0) {
      if (in_title_) title_.append(text);
      return;
    }
    if (!body_started_ && text.find_first_not_of(" \n\t") != std::string_view::npos)
      body_started_ = true;
    if (capture_depth_ > 0) {
      std::visit([text](auto& capture) { capture.text(text); }, capture_);
      return;
    }
    append_flowing(paragraph_, text);
  }

  void table_text(std::string_view text) override {
    if (auto* table = std::get_if<TableCapture>(&capture_);
        table && capture_depth_ > 0 && skip_depth_ == 0) {
      table->table_text(text);
    } else {
      this->text(text);
    }
  }

  void end_paragraph() {
    // Most block boundaries end a paragraph of nothing but the source's line breaks.
    if (paragraph_.find_first_not_of(' ') != std::string::npos)
      add_block(document_, BlockKind::paragraph, collapse_whitespace(paragraph_, true));
    paragraph_.clear();
  }

  std::string title() const {
    std::string title = collapse_whitespace(title_);
    return title.empty() ? first_h1_ : title;
  }

 private:
  void open_top_level(HtmlTag tag) {
    if (const int level = heading_level(tag)) {
      start_capture(TextCapture(false), level);
      return;
    }
    switch (tag) {
      case HtmlTag::ul:
      case HtmlTag::ol:
        start_capture(ListCapture());
        std::get<ListCapture>(capture_).open(tag);
        return;
      case HtmlTag::table:
        start_capture(TableCapture());
        std::get<TableCapture>(capture_).open(tag);
        return;
      case HtmlTag::pre:
        start_capture(TextCapture(true));
        return;
      case HtmlTag::br:
        paragraph_.push_back('\n');
        return;
      case HtmlTag::article:
      case HtmlTag::main:
        ++content_depth_;
        break;
      default:
        break;
    }
    if (is_block(tag)) end_paragraph();
  }

  template <class Capture>
  void start_capture(Capture capture, int heading_level = 0) {
    end_paragraph();
    capture_ = std::move(capture);
    capture_depth_ = depth_;
    heading_level_ = heading_level;
  }

  void finish_capture() {
    capture_depth_ = 0;
    if (const auto* list = std::get_if<ListCapture>(&capture_)) {
      add_block(document_, BlockKind::list, list->render());
    } else if (const auto* table = std::get_if<TableCapture>(&capture_)) {
      add_block(document_, BlockKind::paragraph, collapse_whitespace(table->before(), true));
      add_block(document_, BlockKind::table, table->render());
    } else if (heading_level_ > 0) {
      std::string text = std::get<TextCapture>(capture_).heading();
      if (heading_level_ == 1 && first_h1_.empty()) first_h1_ = text;
      add_block(document_, BlockKind::heading, std::move(text), heading_level_);
    } else {
      add_block(document_, BlockKind::code, std::get<TextCapture>(capture_).code());
    }
  }

  ParsedDocument& document_;
  std::string paragraph_;
  std::string title_;
  std::string first_h1_;
  int depth_ = 0;          // of open elements
  int skip_depth_ = 0;     // > 0: inside the dropped element opened at this depth
  int content_depth_ = 0;  // open article and main elements
  int capture_depth_ = 0;  // > 0: inside the heading, list, table or pre opened at this depth
  int heading_level_ = 0;
  std::variant<TextCapture, ListCapture, TableCapture> capture_{TextCapture(false)};
  bool body_started_ = false;  // a <title> after body content is not the document's title
  bool title_seen_ = false;
  bool in_title_ = false;
};

}  // namespace

Result<ParsedDocument> parse_html(std::string_view bytes) {
  Result<std::string> text = decode_text_input(bytes, "HTML");
  if (!text) return text.error();
  ParsedDocument document;
  BlockCollector collector(document);
  build_html_tree(*text, collector);
  collector.end_paragraph();
  document.title = collector.title();
  return document;
}

}  // namespace sluice::rag
