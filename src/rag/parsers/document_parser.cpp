#include "rag/parsers/document_parser.hpp"

#include <optional>
#include <string>

#include "core/strings.hpp"
#include "rag/parsers/html_parser.hpp"
#include "rag/parsers/markdown_parser.hpp"
#include "rag/parsers/pdf_parser.hpp"
#include "rag/parsers/plain_text_parser.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

std::optional<DocumentFormat> format_of_media_type(std::string_view media_type) {
  const std::string type = core::lower(core::trim(media_type.substr(0, media_type.find(';'))));
  if (type == "application/pdf" || type == "application/x-pdf") return DocumentFormat::pdf;
  if (type == "text/html" || type == "application/xhtml+xml") return DocumentFormat::html;
  if (type == "text/markdown" || type == "text/x-markdown") return DocumentFormat::markdown;
  return std::nullopt;  // text/plain too: clients send it for any file they do not know
}

std::optional<DocumentFormat> format_of_extension(std::string_view file_name) {
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string extension = core::lower(file_name.substr(dot + 1));
  if (extension == "pdf") return DocumentFormat::pdf;
  if (extension == "html" || extension == "htm" || extension == "xhtml")
    return DocumentFormat::html;
  if (extension == "md" || extension == "markdown" || extension == "mdown" || extension == "mkd")
    return DocumentFormat::markdown;
  if (extension == "txt" || extension == "text") return DocumentFormat::plain_text;
  return std::nullopt;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && core::iequals(text.substr(0, prefix.size()), prefix);
}

DocumentFormat sniff(std::string_view bytes) {
  if (bytes.starts_with("%PDF-")) return DocumentFormat::pdf;
  std::string_view head = bytes.substr(0, 1024);
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  head = core::trim(head);
  if (starts_with_ignoring_case(head, "<!doctype html") || starts_with_ignoring_case(head, "<html"))
    return DocumentFormat::html;
  return DocumentFormat::plain_text;
}

std::string_view file_stem(std::string_view file_name) {
  const std::size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const std::size_t dot = file_name.rfind('.');
  return dot == 0 || dot == std::string_view::npos ? file_name : file_name.substr(0, dot);
}

}  // namespace

DocumentFormat detect_format(std::string_view bytes, std::string_view media_type,
                             std::string_view file_name) {
  if (const auto format = format_of_media_type(media_type)) return *format;
  if (const auto format = format_of_extension(file_name)) return *format;
  return sniff(bytes);
}

std::string_view format_name(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::plain_text:
      return "text";
    case DocumentFormat::markdown:
      return "Markdown";
    case DocumentFormat::html:
      return "HTML";
    case DocumentFormat::pdf:
      return "PDF";
  }
  return "text";
}

Result<ParsedDocument> parse_document(std::string_view bytes, std::string_view media_type,
                                      std::string_view file_name) {
  const DocumentFormat format = detect_format(bytes, media_type, file_name);
  Result<ParsedDocument> parsed = [&] {
    switch (format) {
      case DocumentFormat::pdf:
        return parse_pdf(bytes);
      case DocumentFormat::html:
        return parse_html(bytes);
      case DocumentFormat::markdown:
        return parse_markdown(bytes);
      case DocumentFormat::plain_text:
        break;
    }
    return parse_plain_text(bytes);
  }();
  if (!parsed) return parsed;
  if (parsed->blocks.empty())
    return make_error(Errc::unprocessable,
                      format == DocumentFormat::pdf
                          ? "the PDF has no text layer (scanned pages need OCR first)"
                          : "the " + std::string(format_name(format)) + " document has no text");
  if (parsed->title.empty()) {
    parsed->title = to_valid_utf8(core::trim(file_stem(file_name)));
    parsed->title_from_file_name = true;
  }
  return parsed;
}

}  // namespace sluice::rag
