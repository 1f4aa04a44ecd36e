#pragma once

#include "store/session_store.hpp"
#include "store/sqlite/context.hpp"

namespace sluice::store::sqlite {

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(Context& context) : context_(context) {}

  Result<Session> create(const std::string& collection_id) override;
  Result<Session> get(const std::string& session_id) override;
  Status remove(const std::string& session_id) override;
  Result<Message> append(const std::string& session_id, Message message) override;
  Result<std::vector<Message>> last_messages(const std::string& session_id, int n) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
