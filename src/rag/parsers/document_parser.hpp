#pragma once

#include <string_view>

#include "core/result.hpp"
#include "rag/parsed_document.hpp"

namespace sluice::rag {

enum class DocumentFormat { plain_text, markdown, html, pdf };

// The format of an upload: by media type (parameters ignored; text/plain, application/
// octet-stream and unknown types do not decide), then by the file name's extension, then by
// sniffing the first bytes (%PDF-, or <!doctype html / <html after spaces), else plain text.
DocumentFormat detect_format(std::string_view bytes, std::string_view media_type,
                             std::string_view file_name);

std::string_view format_name(DocumentFormat format);

// Parses an upload in the format detect_format picks. A document without a title takes the file
// name without its extension. Text formats replace ill-formed UTF-8 bytes with U+FFFD and refuse
// binary data; a document with no text at all is an unprocessable error too.
Result<ParsedDocument> parse_document(std::string_view bytes, std::string_view media_type,
                                      std::string_view file_name);

}  // namespace sluice::rag
