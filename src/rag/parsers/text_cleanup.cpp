#include "rag/parsers/text_cleanup.hpp"

#include "core/strings.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

Result<std::string> decode_text_input(std::string_view bytes, std::string_view format) {
  if (bytes.find('\0') != std::string_view::npos)
    return make_error(Errc::unprocessable,
                      "the " + std::string(format) + " document contains NUL bytes: binary data");
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::size_t replaced = 0;
  std::string text = to_valid_utf8(bytes, &replaced);
  if (replaced > 16 && replaced > bytes.size() / 16)
    return make_error(Errc::unprocessable, "the " + std::string(format) +
                                               " document is not UTF-8 text (" +
                                               std::to_string(replaced) + " ill-formed bytes)");
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\f') {
      out.append("\n\n");
    } else if ((c >= 0 && c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string collapse_whitespace(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  bool pending_newline = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const char c = text[pos];
    std::size_t length = 1;
    bool space = static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;  // controls too
    if (static_cast<unsigned char>(c) >= 0x80) {
      const DecodedCodePoint decoded = decode_utf8(text, pos);
      length = decoded.length;
      const char32_t cp = decoded.code_point;
      space = cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
              cp == 0x3000 || cp == 0x2028 || cp == 0x2029;
    }
    if (space) {
      if (keep_newlines && (c == '\n' || c == '\f' || c == '\v')) pending_newline = true;
      pending_space = true;
    } else {
      if (!out.empty() && pending_newline) {
        out.push_back('\n');
      } else if (!out.empty() && pending_space) {
        out.push_back(' ');
      }
      pending_space = pending_newline = false;
      out.append(text.substr(pos, length));
    }
    pos += length;
  }
  return out;
}

void add_block(ParsedDocument& document, BlockKind kind, std::string text, int level, int page) {
  if (core::trim(text).empty()) return;
  document.blocks.push_back(Block{kind, level, std::move(text), page});
}

}  // namespace sluice::rag
