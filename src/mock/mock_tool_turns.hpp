#pragma once
// A mock "model" that calls tools on its own, as agents expect (mock-upstream's auto_tool_calls
// knob): the tool-call turn and the final answer of an agent's function tool round trip.

#include <boost/json/object.hpp>
#include <optional>

#include "gateway/providers/mock/mock_replies.hpp"

namespace sluice::mock {

// The reply to a chat request that offers function tools and leaves the choice to the model
// (tool_choice absent or "auto"): while no tool result follows the last user message, a call of
// the first tool whose arguments fill its required parameters (strings with the user's words,
// numbers 1, booleans true, arrays and objects empty); once results follow, text that quotes
// them before the usual mock answer. Nullopt for any other request: mock_chat_reply answers it.
std::optional<gateway::MockReply> mock_tool_turn(const boost::json::object& chat_request,
                                                 long long reply_tokens = 0);

}  // namespace sluice::mock
