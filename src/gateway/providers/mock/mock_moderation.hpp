#pragma once
// The mock providers' moderation model: deterministic, so tests can tell flagged from clean. A
// text containing the word "unsafe" (any case) is flagged for violence; every other input is
// clean. Shared by `sluice mock-upstream` and the in-process `mock` provider.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace sluice::gateway {

// The marker word that flags an input.
inline constexpr std::string_view kMockModerationMarker = "unsafe";

// OpenAI's moderation object for a request moderation_inputs() accepts: {id, model, results}, one
// result per input with every omni-moderation category, its score (0.97 for a flagged category,
// else 0.0001) and the input types it was applied to.
std::string mock_moderation_json(const boost::json::object& request, std::string_view model);

}  // namespace sluice::gateway
