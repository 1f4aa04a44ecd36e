#include "rag/parsers/pdf_parser.hpp"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/strings.hpp"
#include "rag/parsers/text_cleanup.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

// Poppler reports every oddity of a damaged file on stderr; the caller gets one error instead.
void silence_poppler() {
  static std::once_flag silenced;
  std::call_once(silenced, [] {
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
  });
}

std::string to_string(const poppler::ustring& text) {
  const poppler::byte_array utf8 = text.to_utf8();
  return to_valid_utf8(std::string_view(utf8.data(), utf8.size()));
}

bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_ascii_letter(char c) { return is_ascii_lower(c) || (c >= 'A' && c <= 'Z'); }

// Joins one paragraph's lines: "infor-" + "mation" gives "information", other lines a space.
void append_line(std::string& paragraph, std::string_view line) {
  if (paragraph.empty()) {
    paragraph.append(line);
    return;
  }
  const std::size_t size = paragraph.size();
  if (size >= 2 && paragraph[size - 1] == '-' && is_ascii_letter(paragraph[size - 2]) &&
      is_ascii_lower(line.front())) {
    paragraph.pop_back();
  } else {
    paragraph.push_back(' ');
  }
  paragraph.append(line);
}

void add_page(ParsedDocument& document, std::string_view text, int page) {
  std::string paragraph;
  const auto end_paragraph = [&] {
    add_block(document, BlockKind::paragraph, collapse_whitespace(paragraph), 0, page);
    paragraph.clear();
  };
  while (!text.empty()) {
    const std::size_t end = text.find_first_of("\n\f");
    const std::string_view line = core::trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty()) {
      end_paragraph();
    } else {
      append_line(paragraph, line);
    }
  }
  end_paragraph();
}

}  // namespace

Result<ParsedDocument> parse_pdf(std::string_view bytes) {
  // The header may follow some junk, as readers allow, but not much.
  if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos)
    return make_error(Errc::unprocessable, "not a PDF: no %PDF- header");
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    return make_error(Errc::unprocessable, "the PDF is larger than 2 GiB");
  silence_poppler();
  // Poppler reads the buffer in place for the document's lifetime (it does not copy it).
  std::unique_ptr<poppler::document> pdf{
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size()))};
  if (pdf == nullptr)
    return make_error(Errc::unprocessable, "the PDF is damaged or encrypted and cannot be read");
  if (pdf->is_locked())
    return make_error(Errc::unprocessable, "the PDF is encrypted and needs a password");
  const int pages = pdf->pages();
  if (pages > kMaxPdfPages)
    return make_error(Errc::unprocessable, "the PDF has " + std::to_string(pages) +
                                               " pages; at most " + std::to_string(kMaxPdfPages) +
                                               " are read");
  ParsedDocument document;
  document.title = collapse_whitespace(to_string(pdf->get_title()));
  for (int index = 0; index < pages; ++index) {
    std::unique_ptr<poppler::page> page{pdf->create_page(index)};
    if (page == nullptr) continue;
    const std::string text =
        to_string(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
    add_page(document, text, index + 1);
  }
  return document;
}

}  // namespace sluice::rag
