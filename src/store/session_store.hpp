#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// The answer for a session id that names no session (or another tenant's).
inline Error session_not_found(const std::string& session_id) {
  return make_error(Errc::not_found, "session '" + session_id + "' does not exist", "session_id",
                    "session_not_found");
}

// Conversations: a session belongs to a collection and holds its messages in order.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // not_found when the collection does not exist.
  virtual Result<Session> create(const std::string& collection_id) = 0;
  virtual Result<Session> get(const std::string& session_id) = 0;
  // Removes the session and its messages.
  virtual Status remove(const std::string& session_id) = 0;
  // Stores `message` (its id, session_id and created_at_ms are assigned here) and returns it.
  virtual Result<Message> append(const std::string& session_id, Message message) = 0;
  // The last `n` messages (at most kMaxPageLimit), oldest first.
  virtual Result<std::vector<Message>> last_messages(const std::string& session_id, int n) = 0;
};

}  // namespace sluice::store
