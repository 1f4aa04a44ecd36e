#include "core/json_text.hpp"

namespace sluice::core {

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Fast path: most values (ids, routes, paths) need no escaping at all.
  std::size_t clean = 0;
  while (clean < value.size()) {
    const unsigned char c = static_cast<unsigned char>(value[clean]);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++clean;
  }
  out.append(value.data(), clean);
  value.remove_prefix(clean);
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace sluice::core
