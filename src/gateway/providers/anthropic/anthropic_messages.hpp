#pragma once

// OpenAI chat messages -> Anthropic's system prompt and message list; internal to the translation.

#include <boost/json.hpp>
#include <string>

#include "core/result.hpp"

namespace sluice::gateway::anthropic {

// Anthropic takes the system prompt apart from the messages and requires user/assistant turns to
// alternate, so messages are regrouped: system and developer text hoisted (joined by a blank
// line), consecutive same-role turns merged, tool results sent as user turns.
struct Conversation {
  std::string system;
  boost::json::array messages;
};

// Errors (invalid_request, param naming the field) for malformed messages, content Anthropic
// cannot take (audio, remote files), and a conversation with no user or assistant content.
Result<Conversation> convert_messages(const boost::json::object& openai_request);

}  // namespace sluice::gateway::anthropic
