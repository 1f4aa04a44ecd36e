#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::rag {

// A tokenizer for HTML text extraction, following the WHATWG tokenization states that decide
// what is text: data, tags with their attributes, character references, comments (bogus ones
// too), DOCTYPE (skipped), CDATA outside foreign content (a bogus comment, as the standard says),
// and the text of raw text elements (script, style, xmp, iframe, noembed, noframes, noscript),
// RCDATA ones (title, textarea: references decoded) and plaintext. The input must be valid UTF-8
// with line ends already LF (decode_text_input); NUL is not special-cased. Script data's escape
// states (`<!--<script>` inside a script) are not followed: a script ends at its first
// `</script`.

struct HtmlAttribute {
  std::string_view name;   // ASCII-lowercased
  std::string_view value;  // character references decoded
};

class HtmlToken {
 public:
  enum class Kind { text, start_tag, end_tag, end_of_input };
  Kind kind = Kind::end_of_input;
  // text: the characters, references decoded (a run of text may come as several tokens);
  // tags: the name, ASCII-lowercased.
  std::string_view text;
  bool self_closing = false;  // start tags: ended by "/>"

  // A start tag's attributes, the first of each name (at most 64), parsed on first use: most
  // tags are never asked.
  const std::vector<HtmlAttribute>& attributes() const;
  const HtmlAttribute* attribute(std::string_view name) const;  // nullptr if absent

 private:
  friend class HtmlTokenizer;
  void parse_attributes() const;

  std::string_view raw_attributes_;  // the tag's text after its name
  mutable bool attributes_parsed_ = true;
  mutable std::vector<HtmlAttribute> attributes_;
  mutable std::string attribute_text_;  // lowercased names and decoded values
};

class HtmlTokenizer {
 public:
  // `input` must outlive the tokenizer.
  explicit HtmlTokenizer(std::string_view input) : input_(input) {}

  // The next token; its views point into the input or into the tokenizer and stay valid until
  // the next call. After end_of_input, returns end_of_input again.
  const HtmlToken& next();

 private:
  enum class TextMode { data, raw_text, rcdata, plaintext };

  bool read_markup(std::size_t lt);  // at '<': true when a tag was read into token_
  bool read_tag(std::size_t name_start, bool end_tag);
  std::size_t skip_comment(std::size_t body);  // after "<!--": past its end
  void read_special_text();                    // raw text, RCDATA or plaintext up to its end tag
  void emit_text(std::string_view raw, bool decode);
  void enter_text_mode_for(std::string_view tag_name);

  std::string_view input_;
  std::size_t pos_ = 0;
  TextMode mode_ = TextMode::data;
  std::string_view end_tag_name_;  // of the raw text or RCDATA element being read
  HtmlToken token_;
  std::string text_buffer_;  // decoded text
  std::string name_buffer_;  // a lowercased tag name
};

// Appends `raw` to `out` with its character references decoded. `in_attribute`: a legacy name
// without ';' followed by '=' or an alphanumeric stays as written (the attribute value rule).
void append_decoding_references(std::string& out, std::string_view raw, bool in_attribute);

}  // namespace sluice::rag
