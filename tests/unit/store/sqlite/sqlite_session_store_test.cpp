#include "store/sqlite/sqlite_session_store.hpp"

#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class SessionStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
    collection_ = make_collection();
  }
  SessionStore& sessions() { return store_->sessions(); }
  Collection collection_;
};

TEST_F(SessionStoreTest, RoundTripsMessagesOldestFirst) {
  auto session = sessions().create(collection_.id);
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE(session->id.starts_with("ses_"));
  for (int i = 0; i < 5; ++i) {
    now_ += 10;
    Message message;
    message.role = i % 2 ? "assistant" : "user";
    message.content = "turn " + std::to_string(i);
    message.citations_json = i % 2 ? R"([{"document_id":"doc_1"}])" : "";
    auto stored = sessions().append(session->id, message);
    ASSERT_TRUE(stored.ok());
    EXPECT_GT(stored->id, 0);
    EXPECT_EQ(stored->session_id, session->id);
    EXPECT_EQ(stored->created_at_ms, now_.load());
  }
  auto last = sessions().last_messages(session->id, 3);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ((*last)[0].content, "turn 2");
  EXPECT_EQ((*last)[1].content, "turn 3");
  EXPECT_EQ((*last)[1].role, "assistant");
  EXPECT_EQ((*last)[1].citations_json, R"([{"document_id":"doc_1"}])");
  EXPECT_EQ((*last)[2].content, "turn 4");
  EXPECT_EQ(sessions().last_messages(session->id, 100)->size(), 5u);
  EXPECT_EQ(sessions().get(session->id)->updated_at_ms, now_.load());
}

TEST_F(SessionStoreTest, MissingSessionsAndCollectionsAreNotFound) {
  EXPECT_EQ(sessions().create("col_missing").error().code, Errc::not_found);
  EXPECT_EQ(sessions().get("ses_missing").error().code, Errc::not_found);
  EXPECT_EQ(sessions().append("ses_missing", Message{}).error().code, Errc::not_found);
  EXPECT_EQ(sessions().last_messages("ses_missing", 3).error().code, Errc::not_found);
  EXPECT_EQ(sessions().remove("ses_missing").error().code, Errc::not_found);
}

TEST_F(SessionStoreTest, RemoveTakesItsMessages) {
  auto session = sessions().create(collection_.id);
  ASSERT_TRUE(sessions().append(session->id, Message{0, "", "user", "hi", "", 0}).ok());
  ASSERT_TRUE(sessions().remove(session->id).ok());
  EXPECT_EQ(sessions().get(session->id).error().code, Errc::not_found);
  EXPECT_EQ(count_rows("messages"), 0);
}

}  // namespace
}  // namespace sluice::store
