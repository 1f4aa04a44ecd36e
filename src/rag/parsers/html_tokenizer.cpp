#include "rag/parsers/html_tokenizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "core/strings.hpp"
#include "rag/parsers/html_entities.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;
// Longest names: 32 characters with the ';' ("CounterClockwiseContourIntegral;"), 6 for the
// legacy names accepted without it. A start tag keeps at most this many attributes, so that the
// duplicate check stays cheap on hostile input.
constexpr std::size_t kLongestReferenceName = 32;
constexpr std::size_t kLongestLegacyName = 6;
constexpr std::size_t kMaxAttributes = 64;

// Character classes of the tokenizer's states, one table lookup per character.
enum CharClass : std::uint8_t {
  kSpace = 1,              // \t \n \f \r and ' '
  kEndsTagName = 2,        // space, '/', '>'
  kEndsAttributeName = 4,  // space, '/', '>', '='
  kEndsUnquotedValue = 8,  // space, '>'
  kUpper = 16,
  kAlnum = 32,
};

constexpr std::array<std::uint8_t, 256> kCharClasses = [] {
  std::array<std::uint8_t, 256> classes{};
  for (const unsigned char c : {'\t', '\n', '\f', '\r', ' '})
    classes[c] = kSpace | kEndsTagName | kEndsAttributeName | kEndsUnquotedValue;
  classes['/'] = kEndsTagName | kEndsAttributeName;
  classes['>'] = kEndsTagName | kEndsAttributeName | kEndsUnquotedValue;
  classes['='] = kEndsAttributeName;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] = kUpper | kAlnum;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] = kAlnum;
  for (int c = '0'; c <= '9'; ++c) classes[c] = kAlnum;
  return classes;
}();

bool has_class(char c, std::uint8_t classes) {
  return (kCharClasses[static_cast<unsigned char>(c)] & classes) != 0;
}
bool is_space(char c) { return has_class(c, kSpace); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return has_class(c, kAlnum); }
bool is_hex_digit(char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool ends_tag_name(char c) { return has_class(c, kEndsTagName); }

bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return has_class(c, kUpper); });
}

// The attribute states of a tag, from just after its name to its '>': calls on_attribute(name,
// value) for each attribute as written (names not lowercased, values not decoded, duplicates
// included) and sets `self_closing`. Returns the position after the '>', or npos when the input
// ends inside the tag.
template <class OnAttribute>
std::size_t scan_attributes(std::string_view input, std::size_t pos, bool& self_closing,
                            OnAttribute&& on_attribute) {
  const std::size_t size = input.size();
  const auto skip_spaces = [&] {
    while (pos < size && is_space(input[pos])) ++pos;
  };
  while (true) {
    skip_spaces();
    if (pos >= size) return kNpos;
    if (input[pos] == '>') return pos + 1;
    if (input[pos] == '/') {
      if (pos + 1 < size && input[pos + 1] == '>') {
        self_closing = true;
        return pos + 2;
      }
      ++pos;
      continue;
    }
    const std::size_t name_start = pos++;  // a leading '=' belongs to the name
    while (pos < size && !has_class(input[pos], kEndsAttributeName)) ++pos;
    const std::string_view name = input.substr(name_start, pos - name_start);
    skip_spaces();
    std::string_view value;
    if (pos < size && input[pos] == '=') {
      ++pos;
      skip_spaces();
      if (pos >= size) return kNpos;
      const char quote = input[pos];
      if (quote == '"' || quote == '\'') {
        const std::size_t end = input.find(quote, pos + 1);
        if (end == kNpos) return kNpos;
        value = input.substr(pos + 1, end - pos - 1);
        pos = end + 1;
      } else if (quote != '>') {
        const std::size_t start = pos;
        while (pos < size && !has_class(input[pos], kEndsUnquotedValue)) ++pos;
        value = input.substr(start, pos - start);
      }
    }
    on_attribute(name, value);
  }
}

// Whether `text` holds `lowercase_word` in any ASCII case: memchr finds where it may start (its
// first character as given and, for a letter, upper case).
bool mentions(std::string_view text, std::string_view lowercase_word) {
  for (const char first :
       {lowercase_word.front(), static_cast<char>(lowercase_word.front() - 32)}) {
    for (std::size_t pos = text.find(first); pos != kNpos; pos = text.find(first, pos + 1))
      if (core::iequals(text.substr(pos, lowercase_word.size()), lowercase_word)) return true;
  }
  return false;
}

void append_lower(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(core::ascii_lower(c));
}

const NamedCharacterReference* find_reference(std::string_view name) {
  const auto references = named_character_references();
  const auto found = std::lower_bound(
      references.begin(), references.end(), name,
      [](const NamedCharacterReference& entry, std::string_view key) { return entry.name < key; });
  return found != references.end() && found->name == name ? &*found : nullptr;
}

// The standard's numeric reference fix-ups: NUL, surrogates and values past Unicode become
// U+FFFD; 0x80-0x9F are read as windows-1252 (five of them are unassigned there and stay).
char32_t numeric_reference_value(std::uint32_t value) {
  static constexpr char16_t kWindows1252[32] = {
      0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0xFFFD;
  if (value >= 0x80 && value <= 0x9F) return kWindows1252[value - 0x80];
  return value;
}

// Decodes the reference at raw[amp] == '&' into `out`; returns where the text continues.
std::size_t decode_reference(std::string& out, std::string_view raw, std::size_t amp,
                             bool in_attribute) {
  const std::size_t start = amp + 1;
  if (start < raw.size() && raw[start] == '#') {
    std::size_t pos = start + 1;
    const bool hex = pos < raw.size() && (raw[pos] == 'x' || raw[pos] == 'X');
    if (hex) ++pos;
    const std::size_t digits = pos;
    std::uint32_t value = 0;
    for (; pos < raw.size() && (hex ? is_hex_digit(raw[pos]) : is_digit(raw[pos])); ++pos) {
      const char c = raw[pos];
      const std::uint32_t digit = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
      value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + digit, 0x110000);
    }
    if (pos == digits) {  // "&#" or "&#x" without digits is text
      out.push_back('&');
      return start;
    }
    if (pos < raw.size() && raw[pos] == ';') ++pos;
    append_utf8(out, numeric_reference_value(value));
    return pos;
  }
  std::size_t end = start;
  while (end < raw.size() && end - start < kLongestReferenceName && is_alnum(raw[end])) ++end;
  const std::size_t length = end - start;
  if (length > 0 && end < raw.size() && raw[end] == ';') {
    if (const auto* reference = find_reference(raw.substr(start, length + 1))) {
      out.append(reference->value);
      return end + 1;
    }
  }
  // The longest legacy name that prefixes the alphanumerics.
  for (std::size_t n = std::min(length, kLongestLegacyName); n >= 2; --n) {
    const auto* reference = find_reference(raw.substr(start, n));
    if (reference == nullptr) continue;
    const std::size_t next = start + n;
    if (in_attribute && next < raw.size() && (raw[next] == '=' || is_alnum(raw[next]))) break;
    out.append(reference->value);
    return next;
  }
  out.push_back('&');
  return start;
}

// The raw text and RCDATA elements, and what the tokenizer reads after their start tag.
struct TextElement {
  std::string_view name;
  bool rcdata;
};
constexpr TextElement kTextElements[] = {
    {"script", false},   {"style", false},   {"xmp", false},
    {"iframe", false},   {"noembed", false}, {"noframes", false},
    {"noscript", false}, {"title", true},    {"textarea", true}};

}  // namespace

void append_decoding_references(std::string& out, std::string_view raw, bool in_attribute) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t amp = raw.find('&', pos);
    if (amp == kNpos) break;
    out.append(raw.substr(pos, amp - pos));
    pos = decode_reference(out, raw, amp, in_attribute);
  }
  out.append(raw.substr(pos));
}

const std::vector<HtmlAttribute>& HtmlToken::attributes() const {
  if (!attributes_parsed_) parse_attributes();
  return attributes_;
}

const HtmlAttribute* HtmlToken::attribute(std::string_view name) const {
  // Most tags do not mention the name at all: no need to parse them.
  if (name.empty() || !mentions(raw_attributes_, name)) return nullptr;
  for (const HtmlAttribute& candidate : attributes())
    if (candidate.name == name) return &candidate;
  return nullptr;
}

void HtmlToken::parse_attributes() const {
  attributes_parsed_ = true;
  attributes_.clear();
  attribute_text_.clear();
  // Lowercasing keeps a name's size and a decoded reference is at most one byte longer than its
  // text of 3 or more bytes: twice the raw size never reallocates, so views into it stay valid.
  attribute_text_.reserve(2 * raw_attributes_.size());
  const auto stored = [this](std::size_t offset) {
    return std::string_view(attribute_text_).substr(offset);
  };
  bool self_closing = false;
  scan_attributes(raw_attributes_, 0, self_closing,
                  [&](std::string_view name, std::string_view value) {
                    if (attributes_.size() >= kMaxAttributes) return;
                    const std::size_t name_offset = attribute_text_.size();
                    if (has_upper(name)) {
                      append_lower(attribute_text_, name);
                      name = stored(name_offset);
                    }
                    for (const HtmlAttribute& existing : attributes_) {
                      if (existing.name == name) {  // a duplicate is ignored
                        attribute_text_.resize(name_offset);
                        return;
                      }
                    }
                    if (value.find('&') != kNpos) {
                      const std::size_t value_offset = attribute_text_.size();
                      append_decoding_references(attribute_text_, value, true);
                      value = stored(value_offset);
                    }
                    attributes_.push_back({name, value});
                  });
}

const HtmlToken& HtmlTokenizer::next() {
  token_.self_closing = false;
  token_.raw_attributes_ = {};
  token_.attributes_parsed_ = false;
  while (pos_ < input_.size()) {
    if (mode_ != TextMode::data) {
      read_special_text();
      if (!token_.text.empty()) return token_;
      continue;
    }
    if (const std::size_t lt = pos_; input_[lt] == '<') {
      if (read_markup(lt)) return token_;
      if (pos_ != lt) continue;  // a comment or the like was skipped
    }
    // Text up to the next '<' (a '<' that starts no markup is text itself).
    const char* begin = input_.data() + pos_;
    const std::size_t rest = input_.size() - pos_;
    const void* lt = rest > 1 ? std::memchr(begin + 1, '<', rest - 1) : nullptr;
    const std::size_t size = lt ? static_cast<const char*>(lt) - begin : rest;
    pos_ += size;
    emit_text({begin, size}, std::memchr(begin, '&', size) != nullptr);
    return token_;
  }
  token_.kind = HtmlToken::Kind::end_of_input;
  token_.text = {};
  return token_;
}

bool HtmlTokenizer::read_markup(std::size_t lt) {
  const std::size_t size = input_.size();
  const auto at = [&](std::size_t i) { return i < size ? input_[i] : '\0'; };
  const char c = at(lt + 1);
  if (is_alpha(c)) return read_tag(lt + 1, false);
  std::size_t bogus_comment = kNpos;  // where a bogus comment's text starts
  if (c == '/') {
    const char d = at(lt + 2);
    if (is_alpha(d)) return read_tag(lt + 2, true);
    if (d == '>') {  // "</>" is dropped
      pos_ = lt + 3;
      return false;
    }
    if (lt + 2 >= size) return false;  // "</" at the end is text
    bogus_comment = lt + 2;
  } else if (c == '!') {
    if (input_.substr(lt + 2, 2) == "--") {
      pos_ = skip_comment(lt + 4);
      return false;
    }
    bogus_comment = lt + 2;  // DOCTYPE, CDATA outside foreign content, and the rest
  } else if (c == '?') {
    bogus_comment = lt + 1;
  } else {
    return false;  // '<' as text
  }
  const std::size_t gt = input_.find('>', bogus_comment);
  pos_ = gt == kNpos ? size : gt + 1;
  return false;
}

std::size_t HtmlTokenizer::skip_comment(std::size_t body) {
  const std::size_t size = input_.size();
  if (body < size && input_[body] == '>') return body + 1;  // "<!-->"
  if (input_.substr(body, 2) == "->") return body + 2;      // "<!--->"
  for (std::size_t dashes = input_.find("--", body); dashes != kNpos;
       dashes = input_.find("--", dashes + 1)) {
    if (input_.substr(dashes + 2, 1) == ">") return dashes + 3;
    if (input_.substr(dashes + 2, 2) == "!>") return dashes + 4;
  }
  return size;  // unterminated: the rest is comment
}

bool HtmlTokenizer::read_tag(std::size_t name_start, bool end_tag) {
  std::size_t name_end = name_start;
  bool upper = false;
  for (; name_end < input_.size(); ++name_end) {
    const std::uint8_t classes = kCharClasses[static_cast<unsigned char>(input_[name_end])];
    if (classes & kEndsTagName) break;
    upper = upper || (classes & kUpper);
  }
  bool self_closing = false;
  const std::size_t after =
      scan_attributes(input_, name_end, self_closing, [](std::string_view, std::string_view) {});
  if (after == kNpos) {  // the input ends inside the tag: no token
    pos_ = input_.size();
    return false;
  }
  pos_ = after;
  const std::string_view name = input_.substr(name_start, name_end - name_start);
  if (upper) {
    name_buffer_.clear();
    append_lower(name_buffer_, name);
    token_.text = name_buffer_;
  } else {
    token_.text = name;
  }
  if (end_tag) {
    token_.kind = HtmlToken::Kind::end_tag;  // its attributes are dropped
    return true;
  }
  token_.kind = HtmlToken::Kind::start_tag;
  token_.self_closing = self_closing;
  token_.raw_attributes_ = input_.substr(name_end, after - name_end);
  enter_text_mode_for(token_.text);
  return true;
}

void HtmlTokenizer::emit_text(std::string_view raw, bool decode) {
  token_.kind = HtmlToken::Kind::text;
  if (!decode) {
    token_.text = raw;
    return;
  }
  text_buffer_.clear();
  append_decoding_references(text_buffer_, raw, false);
  token_.text = text_buffer_;
}

void HtmlTokenizer::enter_text_mode_for(std::string_view tag_name) {
  // Names of 3 to 9 letters starting with one of these: most tags are none of them.
  constexpr std::string_view kFirstLetters = "inpstx";
  if (tag_name.size() < 3 || tag_name.size() > 9 || kFirstLetters.find(tag_name[0]) == kNpos)
    return;
  if (tag_name == "plaintext") {
    mode_ = TextMode::plaintext;
    return;
  }
  for (const TextElement& element : kTextElements) {
    if (element.name == tag_name) {
      mode_ = element.rcdata ? TextMode::rcdata : TextMode::raw_text;
      end_tag_name_ = element.name;
      return;
    }
  }
}

void HtmlTokenizer::read_special_text() {
  const bool decode = mode_ == TextMode::rcdata;
  std::size_t end = input_.size();
  if (mode_ != TextMode::plaintext) {
    // The first "</name" (any case) followed by a space, '/' or '>' ends the text.
    const std::size_t name_size = end_tag_name_.size();
    for (std::size_t lt = input_.find("</", pos_); lt != kNpos; lt = input_.find("</", lt + 1)) {
      const std::size_t after = lt + 2 + name_size;
      if (after < input_.size() && ends_tag_name(input_[after]) &&
          core::iequals(input_.substr(lt + 2, name_size), end_tag_name_)) {
        end = lt;
        mode_ = TextMode::data;
        break;
      }
    }
  }
  const std::string_view raw = input_.substr(pos_, end - pos_);
  pos_ = end;
  emit_text(raw, decode && raw.find('&') != kNpos);
}

}  // namespace sluice::rag
