#pragma once
// OpenAI's moderations request (POST /v1/moderations), as the gateway checks it before routing and
// the mocks read it to answer.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::gateway {

// The model a request without one gets, as at OpenAI.
inline constexpr std::string_view kDefaultModerationModel = "omni-moderation-latest";

// One input a moderation result is given for: its text, and whether it carries an image.
struct ModerationInput {
  std::string text;
  bool has_image = false;
};

// The inputs of a moderations request: `input` a string (one result), an array of strings (one
// each), or an array of multimodal parts ({type: "text", text} and {type: "image_url", image_url:
// {url}}; one result for them all). Anything else, an empty array, or a `model` that is given but
// not a non-empty string, is a 400 naming the param.
Result<std::vector<ModerationInput>> moderation_inputs(const boost::json::object& request);

}  // namespace sluice::gateway
