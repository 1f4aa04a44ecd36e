#include "rag/utf8.hpp"

#include "rag/ascii_run.hpp"

namespace sluice::rag {

namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

DecodedCodePoint decode_utf8(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  constexpr DecodedCodePoint kInvalid{kReplacementCharacter, 1, false};
  std::size_t length;
  char32_t code_point;
  char32_t minimum;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return kInvalid;
  }
  if (text.size() - pos < length) return kInvalid;
  for (std::size_t i = 1; i < length; ++i) {
    if (!is_continuation(byte(i))) return kInvalid;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF))
    return kInvalid;
  return {code_point, length, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const DecodedCodePoint decoded = decode_utf8(text, pos);
    if (!decoded.valid) return false;
    pos += decoded.length;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text, std::size_t* replaced) {
  std::string out;
  out.reserve(text.size());
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    if (const std::size_t run = ascii_run<0x01, 0x7E>(text.substr(pos))) {
      out.append(text.data() + pos, run);
      pos += run;
      continue;
    }
    const DecodedCodePoint decoded = decode_utf8(text, pos);
    if (decoded.valid) {
      out.append(text.substr(pos, decoded.length));
    } else {
      append_utf8(out, kReplacementCharacter);
      ++count;
    }
    pos += decoded.length;
  }
  if (replaced != nullptr) *replaced = count;
  return out;
}

std::size_t utf8_boundary_before(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return text.size();
  // At most three continuation bytes follow a lead byte; stray ones count as their own unit.
  for (std::size_t back = 0; back < 4 && back <= pos; ++back) {
    if (!is_continuation(static_cast<unsigned char>(text[pos - back]))) {
      const std::size_t start = pos - back;
      const DecodedCodePoint decoded = decode_utf8(text, start);
      return start + decoded.length > pos ? start : pos;
    }
  }
  return pos;
}

}  // namespace sluice::rag
