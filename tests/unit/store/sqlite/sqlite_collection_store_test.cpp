#include "store/sqlite/sqlite_collection_store.hpp"

#include <gtest/gtest.h>

#include <set>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class CollectionStoreTest : public StoreTest {
 protected:
  // "c<i>", built by append: GCC 12 warns falsely (-Wrestrict) on "c" + std::to_string(i).
  static std::string numbered(int i) { return std::string("c").append(std::to_string(i)); }
  void SetUp() override {
    StoreTest::SetUp();
    open();
  }
  CollectionStore& collections() { return store_->collections(); }
};

TEST_F(CollectionStoreTest, CreatesAndGetsByIdOrName) {
  auto created = collections().create("manuals", "german", "text-embedding-3-small");
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->id.starts_with("col_"));
  EXPECT_EQ(created->created_at_ms, now_.load());
  for (const std::string& key : {created->id, std::string("manuals")}) {
    auto got = collections().get(key);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->id, created->id);
    EXPECT_EQ(got->name, "manuals");
    EXPECT_EQ(got->language, "german");
    EXPECT_EQ(got->embedding_model, "text-embedding-3-small");
    EXPECT_EQ(got->change_seq, 0);
    EXPECT_EQ(got->document_count, 0);
  }
  EXPECT_EQ(collections().get("nope").error().code, Errc::not_found);
}

// Names are unique within a tenant; each tenant's are found by their key and listed apart.
TEST_F(CollectionStoreTest, EachTenantHasItsOwnNames) {
  auto alpha = collections().create("docs", "english", "", "alpha");
  auto beta = collections().create("docs", "english", "", "key:key_1");
  auto shared = collections().create("docs", "english", "");
  ASSERT_TRUE(alpha.ok() && beta.ok() && shared.ok());
  EXPECT_EQ(collections().create("docs", "english", "", "alpha").error().code, Errc::conflict);
  auto found = collections().get(collection_key("key:key_1", "docs"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, beta->id);
  EXPECT_EQ(found->name, "docs");
  EXPECT_EQ(found->tenant, "key:key_1");
  EXPECT_EQ(collections().get("docs")->id, shared->id);
  EXPECT_EQ(collections().get(alpha->id)->tenant, "alpha");
  auto missing = collections().get(collection_key("alpha", "nope"));
  EXPECT_EQ(missing.error().message, "collection 'nope' does not exist");  // no tenant in it

  auto listed = collections().list("", 10, std::optional<std::string>("alpha"));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, alpha->id);
  EXPECT_EQ(collections().list("", 10)->items.size(), 3u);
  EXPECT_EQ(collections().list("", 10, std::optional<std::string>(""))->items.size(), 1u);
}

TEST_F(CollectionStoreTest, ATakenNameIsAConflict) {
  ASSERT_TRUE(collections().create("docs", "english", "").ok());
  auto again = collections().create("docs", "french", "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::conflict);
}

TEST_F(CollectionStoreTest, ListsPageByPageWithStableCursors) {
  for (int i = 0; i < 7; ++i) make_collection(numbered(i));
  std::vector<std::string> names;
  std::string cursor;
  int pages = 0;
  do {
    auto page = collections().list(cursor, 3);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->items) names.push_back(c.name);
    cursor = page->next_cursor;
    ++pages;
    // A collection removed and one added between pages neither repeats nor skips the rest.
    if (pages == 1) {
      ASSERT_TRUE(collections().remove("c0").ok());
      make_collection("late");
    }
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "late"}));
}

TEST_F(CollectionStoreTest, AnExactlyFullLastPageEndsTheList) {
  for (int i = 0; i < 4; ++i) make_collection(numbered(i));
  auto first = collections().list("", 4);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->items.size(), 4u);
  EXPECT_TRUE(first->next_cursor.empty());
}

TEST_F(CollectionStoreTest, LimitsAreClampedAndCursorsValidated) {
  for (int i = 0; i < 3; ++i) make_collection(numbered(i));
  auto defaulted = collections().list("", 0);
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ(defaulted->items.size(), 3u);
  EXPECT_EQ(clamp_page_limit(1'000'000), kMaxPageLimit);
  auto bad = collections().list("12abc", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::invalid_request);
}

TEST_F(CollectionStoreTest, RemoveTakesEverythingOfTheCollection) {
  Collection gone = make_collection("gone");
  Collection kept = make_collection("kept");
  auto doc = store_->documents().put_document(gone.id, text_document("body"));
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(store_->documents().replace_chunks(doc->doc.id, 1, {Chunk{}}).ok());
  auto session = store_->sessions().create(gone.id);
  ASSERT_TRUE(session.ok());
  auto kept_doc = store_->documents().put_document(kept.id, text_document("other"));
  ASSERT_TRUE(kept_doc.ok());

  ASSERT_TRUE(collections().remove(gone.name).ok());
  EXPECT_EQ(collections().get(gone.id).error().code, Errc::not_found);
  EXPECT_EQ(store_->documents().get(doc->doc.id).error().code, Errc::not_found);
  EXPECT_EQ(store_->documents().body(doc->doc.id).error().code, Errc::not_found);
  EXPECT_EQ(store_->jobs().get(doc->job_id).error().code, Errc::not_found);
  EXPECT_EQ(store_->sessions().get(session->id).error().code, Errc::not_found);
  EXPECT_TRUE(store_->documents().get(kept_doc->doc.id).ok());
  EXPECT_EQ(collections().remove(gone.id).error().code, Errc::not_found);
  EXPECT_EQ(count_rows("chunks"), 0);
  EXPECT_EQ(count_rows("messages"), 0);
}

}  // namespace
}  // namespace sluice::store
