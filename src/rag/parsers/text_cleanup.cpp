#include "rag/parsers/text_cleanup.hpp"

#include <cstring>

#include "core/strings.hpp"
#include "rag/ascii_run.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

bool is_unicode_space(char32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000 || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

// One pass: runs of printable ASCII are copied whole; every other byte is looked at alone.
Result<std::string> decode_text_input(std::string_view bytes, std::string_view format) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::string out;
  out.reserve(bytes.size());
  std::size_t replaced = 0;
  for (std::size_t pos = 0; pos < bytes.size();) {
    const std::size_t run = ascii_run<0x20, 0x7E>(bytes.substr(pos));
    out.append(bytes.data() + pos, run);
    pos += run;
    if (pos == bytes.size()) break;
    const char c = bytes[pos];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const DecodedCodePoint decoded = decode_utf8(bytes, pos);
      if (decoded.valid) {
        out.append(bytes.data() + pos, decoded.length);
      } else {
        append_utf8(out, kReplacementCharacter);
        ++replaced;
      }
      pos += decoded.length;
      continue;
    }
    if (c == '\0')
      return make_error(Errc::unprocessable,
                        "the " + std::string(format) + " document contains NUL bytes: binary data");
    if (c == '\r') {
      out.push_back('\n');
      if (pos + 1 < bytes.size() && bytes[pos + 1] == '\n') ++pos;
    } else if (c == '\f') {
      out.append("\n\n");
    } else if (c == '\n' || c == '\t') {
      out.push_back(c);
    } else {
      out.push_back(' ');  // other controls and DEL
    }
    ++pos;
  }
  if (replaced > 16 && replaced > bytes.size() / 16)
    return make_error(Errc::unprocessable, "the " + std::string(format) +
                                               " document is not UTF-8 text (" +
                                               std::to_string(replaced) + " ill-formed bytes)");
  return out;
}

// Written through a pointer into a buffer of the input's size: the output is never longer (every
// whitespace run becomes at most one byte), and most bytes are visible ASCII copied as they come.
std::string collapse_whitespace(std::string_view text, bool keep_newlines) {
  std::string out(text.size(), '\0');
  char* const begin = out.data();
  char* write = begin;
  bool pending_space = false;
  bool pending_newline = false;  // implies pending_space
  for (std::size_t pos = 0; pos < text.size();) {
    const auto c = static_cast<unsigned char>(text[pos]);
    std::size_t length = 1;
    bool space = c <= 0x20 || c == 0x7F;  // controls too
    if (c >= 0x80) {
      const DecodedCodePoint decoded = decode_utf8(text, pos);
      length = decoded.length;
      space = is_unicode_space(decoded.code_point);
    }
    if (space) {
      if (keep_newlines && (c == '\n' || c == '\f' || c == '\v')) pending_newline = true;
      pending_space = true;
      pos += length;
      continue;
    }
    if (pending_space) {
      if (write != begin) *write++ = pending_newline ? '\n' : ' ';
      pending_space = pending_newline = false;
    }
    if (length == 1) {
      *write++ = static_cast<char>(c);
    } else {
      std::memcpy(write, text.data() + pos, length);
      write += length;
    }
    pos += length;
  }
  out.resize(static_cast<std::size_t>(write - begin));
  return out;
}

void add_block(ParsedDocument& document, BlockKind kind, std::string text, int level, int page) {
  if (core::trim(text).empty()) return;
  document.blocks.push_back(Block{kind, level, std::move(text), page});
}

}  // namespace sluice::rag
