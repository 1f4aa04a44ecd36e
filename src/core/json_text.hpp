#pragma once

#include <string>
#include <string_view>

namespace sluice::core {

// Appends `value` as a JSON string literal (quotes included), escaping per RFC 8259. Invalid UTF-8
// (client bytes: paths, headers) becomes U+FFFD, one per maximal ill-formed subpart, so the output
// is always valid JSON. Used where a whole JSON library would be overkill on a hot path: log
// lines and fixed-shape bodies.
void append_json_string(std::string& out, std::string_view value);

}  // namespace sluice::core
