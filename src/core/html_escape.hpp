#pragma once

#include <string>
#include <string_view>

namespace sluice::core {

// `text` safe inside HTML text and quoted attribute values: & < > " and ' as entities.
std::string html_escape(std::string_view text);

}  // namespace sluice::core
