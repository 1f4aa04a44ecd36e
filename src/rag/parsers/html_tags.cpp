#include "rag/parsers/html_tags.hpp"

#include <array>
#include <cstddef>

namespace sluice::rag {

namespace {

enum Trait : std::uint8_t {
  kVoid = 1,
  kSpecial = 2,
  kClosesParagraph = 4,
  kScopeBoundary = 8,
};

struct TagInfo {
  std::string_view name;
  HtmlTag tag;
  std::uint8_t traits;
};

constexpr std::uint8_t kBlock = kSpecial | kClosesParagraph;

constexpr TagInfo kTags[] = {
    {"html", HtmlTag::html, kSpecial | kScopeBoundary},
    {"head", HtmlTag::head, kSpecial},
    {"body", HtmlTag::body, kSpecial},
    {"title", HtmlTag::title, kSpecial},
    {"meta", HtmlTag::meta, kSpecial | kVoid},
    {"link", HtmlTag::link, kSpecial | kVoid},
    {"base", HtmlTag::base, kSpecial | kVoid},
    {"style", HtmlTag::style, kSpecial},
    {"script", HtmlTag::script, kSpecial},
    {"noscript", HtmlTag::noscript, kSpecial},
    {"template", HtmlTag::template_, kSpecial | kScopeBoundary},
    {"frameset", HtmlTag::frameset, kSpecial},
    {"svg", HtmlTag::svg, 0},
    {"math", HtmlTag::math, 0},
    {"iframe", HtmlTag::iframe, kSpecial},
    {"object", HtmlTag::object, kSpecial | kScopeBoundary},
    {"embed", HtmlTag::embed, kSpecial | kVoid},
    {"canvas", HtmlTag::canvas, 0},
    {"select", HtmlTag::select, kSpecial},
    {"button", HtmlTag::button, kSpecial},
    {"nav", HtmlTag::nav, kBlock},
    {"aside", HtmlTag::aside, kBlock},
    {"applet", HtmlTag::applet, kSpecial | kScopeBoundary},
    {"marquee", HtmlTag::marquee, kSpecial | kScopeBoundary},
    {"header", HtmlTag::header, kBlock},
    {"footer", HtmlTag::footer, kBlock},
    {"article", HtmlTag::article, kBlock},
    {"main", HtmlTag::main, kBlock},
    {"p", HtmlTag::p, kBlock},
    {"div", HtmlTag::div, kBlock},
    {"section", HtmlTag::section, kBlock},
    {"blockquote", HtmlTag::blockquote, kBlock},
    {"figure", HtmlTag::figure, kBlock},
    {"figcaption", HtmlTag::figcaption, kBlock},
    {"address", HtmlTag::address, kBlock},
    {"dl", HtmlTag::dl, kBlock},
    {"dt", HtmlTag::dt, kBlock},
    {"dd", HtmlTag::dd, kBlock},
    {"form", HtmlTag::form, kBlock},
    {"fieldset", HtmlTag::fieldset, kBlock},
    {"legend", HtmlTag::legend, 0},
    {"details", HtmlTag::details, kBlock},
    {"summary", HtmlTag::summary, kBlock},
    {"center", HtmlTag::center, kBlock},
    {"hr", HtmlTag::hr, kBlock | kVoid},
    {"hgroup", HtmlTag::hgroup, kBlock},
    {"search", HtmlTag::search, kBlock},
    {"dialog", HtmlTag::dialog, kBlock},
    {"menu", HtmlTag::menu, kBlock},
    {"dir", HtmlTag::dir, kBlock},
    {"h1", HtmlTag::h1, kBlock},
    {"h2", HtmlTag::h2, kBlock},
    {"h3", HtmlTag::h3, kBlock},
    {"h4", HtmlTag::h4, kBlock},
    {"h5", HtmlTag::h5, kBlock},
    {"h6", HtmlTag::h6, kBlock},
    {"ul", HtmlTag::ul, kBlock},
    {"ol", HtmlTag::ol, kBlock},
    {"li", HtmlTag::li, kBlock},
    {"table", HtmlTag::table, kBlock | kScopeBoundary},
    {"caption", HtmlTag::caption, kSpecial | kScopeBoundary},
    {"colgroup", HtmlTag::colgroup, kSpecial},
    {"col", HtmlTag::col, kSpecial | kVoid},
    {"thead", HtmlTag::thead, kSpecial},
    {"tbody", HtmlTag::tbody, kSpecial},
    {"tfoot", HtmlTag::tfoot, kSpecial},
    {"tr", HtmlTag::tr, kSpecial},
    {"td", HtmlTag::td, kSpecial | kScopeBoundary},
    {"th", HtmlTag::th, kSpecial | kScopeBoundary},
    {"pre", HtmlTag::pre, kBlock},
    {"listing", HtmlTag::listing, kBlock},
    {"xmp", HtmlTag::xmp, kBlock},
    {"plaintext", HtmlTag::plaintext, kBlock},
    {"textarea", HtmlTag::textarea, kSpecial},
    {"noembed", HtmlTag::noembed, kSpecial},
    {"noframes", HtmlTag::noframes, kSpecial},
    {"br", HtmlTag::br, kSpecial | kVoid},
    {"area", HtmlTag::area, kSpecial | kVoid},
    {"img", HtmlTag::img, kSpecial | kVoid},
    {"input", HtmlTag::input, kSpecial | kVoid},
    {"param", HtmlTag::param, kSpecial | kVoid},
    {"source", HtmlTag::source, kSpecial | kVoid},
    {"track", HtmlTag::track, kSpecial | kVoid},
    {"wbr", HtmlTag::wbr, kSpecial | kVoid},
    {"keygen", HtmlTag::keygen, kSpecial | kVoid},
    {"frame", HtmlTag::frame, kSpecial | kVoid},
    {"basefont", HtmlTag::basefont, kSpecial | kVoid},
    {"bgsound", HtmlTag::bgsound, kSpecial | kVoid},
    {"option", HtmlTag::option, 0},
    {"optgroup", HtmlTag::optgroup, 0},
    {"a", HtmlTag::a, 0},
    {"abbr", HtmlTag::abbr, 0},
    {"b", HtmlTag::b, 0},
    {"cite", HtmlTag::cite, 0},
    {"code", HtmlTag::code, 0},
    {"em", HtmlTag::em, 0},
    {"i", HtmlTag::i, 0},
    {"kbd", HtmlTag::kbd, 0},
    {"label", HtmlTag::label, 0},
    {"small", HtmlTag::small, 0},
    {"span", HtmlTag::span, 0},
    {"strong", HtmlTag::strong, 0},
    {"sub", HtmlTag::sub, 0},
    {"sup", HtmlTag::sup, 0},
    {"tt", HtmlTag::tt, 0},
    {"u", HtmlTag::u, 0},
    {"var", HtmlTag::var, 0},
};
static_assert(std::size(kTags) == static_cast<std::size_t>(HtmlTag::count_) - 1);

// An open-addressing hash of the names, built at compile time. A name (at most 16 bytes) is
// packed into two words: a lookup is one hash and one or two comparisons of integers.
constexpr std::size_t kSlots = 512;
constexpr std::size_t kLongestName = 10;  // blockquote, figcaption

struct NameKey {
  std::uint64_t low = 0, high = 0;
  constexpr bool operator==(const NameKey&) const = default;
};

constexpr NameKey key_of(std::string_view name) {
  NameKey key;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const std::uint64_t byte = static_cast<unsigned char>(name[i]);
    (i < 8 ? key.low : key.high) |= byte << (8 * (i % 8));
  }
  return key;
}

constexpr std::size_t slot_of(const NameKey& key) {
  const std::uint64_t mixed = key.low * 0x9E3779B97F4A7C15ULL ^ key.high * 0xC2B2AE3D27D4EB4FULL;
  return (mixed >> 40) % kSlots;
}

struct TagTable {
  std::array<NameKey, kSlots> keys{};
  std::array<HtmlTag, kSlots> tags{};  // HtmlTag::other: an empty slot
  std::array<std::uint8_t, static_cast<std::size_t>(HtmlTag::count_)> traits{};
};

constexpr TagTable kTable = [] {
  TagTable table;
  for (const TagInfo& info : kTags) {
    const NameKey key = key_of(info.name);
    std::size_t slot = slot_of(key);
    while (table.tags[slot] != HtmlTag::other) slot = (slot + 1) % kSlots;
    table.keys[slot] = key;
    table.tags[slot] = info.tag;
    table.traits[static_cast<std::size_t>(info.tag)] = info.traits;
  }
  return table;
}();

bool has_trait(HtmlTag tag, Trait trait) {
  return (kTable.traits[static_cast<std::size_t>(tag)] & trait) != 0;
}

}  // namespace

HtmlTag html_tag(std::string_view lowercase_name) {
  if (lowercase_name.empty() || lowercase_name.size() > kLongestName) return HtmlTag::other;
  const NameKey key = key_of(lowercase_name);
  for (std::size_t slot = slot_of(key); kTable.tags[slot] != HtmlTag::other;
       slot = (slot + 1) % kSlots)
    if (kTable.keys[slot] == key) return kTable.tags[slot];
  return HtmlTag::other;
}

bool is_void_element(HtmlTag tag) { return has_trait(tag, kVoid); }
bool is_special_element(HtmlTag tag) { return has_trait(tag, kSpecial); }
bool closes_paragraph(HtmlTag tag) { return has_trait(tag, kClosesParagraph); }
bool is_scope_boundary(HtmlTag tag) { return has_trait(tag, kScopeBoundary); }

int heading_level(HtmlTag tag) {
  return tag >= HtmlTag::h1 && tag <= HtmlTag::h6
             ? static_cast<int>(tag) - static_cast<int>(HtmlTag::h1) + 1
             : 0;
}

}  // namespace sluice::rag
