#include "rag/parsers/plain_text_parser.hpp"

#include "core/strings.hpp"
#include "rag/parsers/text_cleanup.hpp"

namespace sluice::rag {

Result<ParsedDocument> parse_plain_text(std::string_view bytes) {
  Result<std::string> text = decode_text_input(bytes, "text");
  if (!text) return text.error();
  ParsedDocument document;
  std::string paragraph;
  const auto end_paragraph = [&] {
    add_block(document, BlockKind::paragraph, std::move(paragraph));
    paragraph.clear();
  };
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    while (!line.empty() && core::is_ascii_space(line.back())) line.remove_suffix(1);
    if (core::trim(line).empty()) {
      end_paragraph();
      continue;
    }
    if (!paragraph.empty()) paragraph.push_back('\n');
    paragraph.append(paragraph.empty() ? core::trim(line) : line);
  }
  end_paragraph();
  return document;
}

}  // namespace sluice::rag
