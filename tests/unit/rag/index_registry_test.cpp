#include "rag/index_registry.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <fstream>
#include <future>

#include "indexed_store_fixture.hpp"

namespace sluice::rag {
namespace {

class IndexRegistryTest : public IndexedStoreTest {
 protected:
  // The chunk ids BM25 finds for `query` in the collection.
  std::vector<int64_t> lexical_ids(const std::string& collection, const std::string& query) {
    auto index = registry_->find(collection);
    EXPECT_TRUE(index.ok());
    if (!index) return {};
    auto lock = (*index)->read_lock();
    std::vector<int64_t> ids;
    for (const LexicalHit& hit : (*index)->lexical().search((*index)->tokenizer().terms(query), 10))
      ids.push_back(hit.chunk_id);
    return ids;
  }
  std::size_t hits(const std::string& collection, const std::string& query) {
    return lexical_ids(collection, query).size();
  }
};

TEST_F(IndexRegistryTest, RebuildsFromTheStoreWithItsCatalog) {
  const auto c = collection("docs");
  const std::string doc = put(c, "Kernel guide", {{"the scheduler picks tasks", "Intro > CPU", 3}},
                              "ext-1", R"({"year":2024})", {"linux"});
  put(c, "Other", {{"unrelated words here", "", 0}});
  auto& registry = start_registry();
  EXPECT_EQ(registry.stats().rebuilds, 1u);
  EXPECT_EQ(registry.chunk_count(), 2u);
  auto index = registry.find("docs");  // by name
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->version(), store_->collections().get(c.id)->change_seq);
  const auto ids = lexical_ids(c.id, "schedulers");
  ASSERT_EQ(ids.size(), 1u);
  auto lock = (*index)->read_lock();
  const ChunkInfo* chunk = (*index)->chunk(ids[0]);
  ASSERT_NE(chunk, nullptr);
  EXPECT_EQ(chunk->document->id, doc);
  EXPECT_EQ(chunk->document->external_id, "ext-1");
  EXPECT_EQ(chunk->document->title, "Kernel guide");
  EXPECT_EQ(chunk->document->tags, std::vector<std::string>{"linux"});
  EXPECT_EQ(chunk->document->metadata.at("year").as_int64(), 2024);
  EXPECT_EQ(chunk->heading_path, "Intro > CPU");
  EXPECT_EQ(chunk->page, 3);
}

TEST_F(IndexRegistryTest, TitleAndHeadingTermsAreSearchable) {
  const auto c = collection("docs");
  put(c, "Volcanoes", {{"plain body text", "Eruptions > Lava", 0}});
  start_registry();
  EXPECT_EQ(hits(c.id, "volcano"), 1u);
  EXPECT_EQ(hits(c.id, "lava"), 1u);
}

TEST_F(IndexRegistryTest, AMatchingSnapshotLoadsWithoutARebuild) {
  const auto c = collection("docs");
  put(c, "T", {{"alpha beta", "", 0}, {"gamma delta", "H", 2}});
  start_registry();
  registry_->stop();  // writes the snapshot
  ASSERT_TRUE(std::filesystem::exists(snapshot_dir() + "/" + c.id + ".catalog"));
  registry_.reset();

  start_registry();
  EXPECT_EQ(registry_->stats().rebuilds, 0u);
  EXPECT_EQ(registry_->stats().snapshot_loads, 1u);
  EXPECT_EQ(hits(c.id, "gamma"), 1u);
  auto index = registry_->find(c.id);
  auto lock = (*index)->read_lock();
  const ChunkInfo* chunk = (*index)->chunk(lexical_ids(c.id, "gamma")[0]);
  EXPECT_EQ(chunk->heading_path, "H");
  EXPECT_EQ(chunk->page, 2);
}

TEST_F(IndexRegistryTest, AStaleSnapshotIsIgnoredAndRebuilt) {
  const auto c = collection("docs");
  put(c, "T", {{"alpha", "", 0}});
  start_registry();
  registry_->stop();
  registry_.reset();
  put(c, "U", {{"omega", "", 0}});  // the store moves on while the server is down

  start_registry();
  EXPECT_EQ(registry_->stats().snapshot_loads, 0u);
  EXPECT_EQ(registry_->stats().rebuilds, 1u);
  EXPECT_EQ(hits(c.id, "omega"), 1u);
  EXPECT_EQ(hits(c.id, "alpha"), 1u);
}

// A removal whose tombstone was pruned cannot reach a snapshot from before it: such a snapshot
// is rebuilt instead of caught up, and the removed document does not come back.
TEST_F(IndexRegistryTest, ASnapshotOlderThanThePrunedChangeLogIsRebuilt) {
  const auto c = collection("docs");
  const std::string gone = put(c, "T", {{"alpha", "", 0}});
  put(c, "U", {{"omega", "", 0}});
  start_registry();
  registry_->stop();
  registry_.reset();
  ASSERT_TRUE(store_->documents().remove(gone).ok());  // while the server is down
  ASSERT_EQ(*store_->documents().prune_tombstones(now_.load() + 1, 100), 1);

  start_registry();
  EXPECT_EQ(registry_->stats().snapshot_loads, 0u);
  EXPECT_EQ(registry_->stats().rebuilds, 1u);
  EXPECT_EQ(hits(c.id, "alpha"), 0u);
  EXPECT_EQ(hits(c.id, "omega"), 1u);
}

// A live index that fell behind a pruned change log (a replica cut off for longer than the
// retention) is rebuilt rather than left with the removed document.
TEST_F(IndexRegistryTest, ALiveIndexBehindThePrunedChangeLogIsRebuilt) {
  const auto c = collection("docs");
  const std::string gone = put(c, "T", {{"alpha", "", 0}});
  start_registry(false);
  ASSERT_EQ(hits(c.id, "alpha"), 1u);
  // Removed and pruned before this replica heard of it (no notify).
  ASSERT_TRUE(store_->documents().remove(gone).ok());
  ASSERT_EQ(*store_->documents().prune_tombstones(now_.load() + 1, 100), 1);
  registry_->notify(c.id);
  ASSERT_TRUE(wait_for([&] { return registry_->stats().rebuilds == 2; }));
  ASSERT_TRUE(wait_for([&] { return registry_->find(c.id).ok(); }));
  EXPECT_EQ(hits(c.id, "alpha"), 0u);
}

TEST_F(IndexRegistryTest, ACorruptSnapshotIsIgnoredAndRebuilt) {
  const auto c = collection("docs");
  put(c, "T", {{"alpha", "", 0}});
  start_registry();
  registry_->stop();
  registry_.reset();
  const std::string catalog = snapshot_dir() + "/" + c.id + ".catalog";
  {
    std::fstream file(catalog, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-1, std::ios::end);
    file.put('\x7f');
  }
  start_registry();
  EXPECT_EQ(registry_->stats().snapshot_loads, 0u);
  EXPECT_EQ(registry_->stats().rebuilds, 1u);
  EXPECT_EQ(hits(c.id, "alpha"), 1u);
}

TEST_F(IndexRegistryTest, FollowsUpsertsAndDeletesWhenNotified) {
  const auto c = collection("docs");
  const std::string doc = put(c, "T", {{"alpha", "", 0}}, "ext");
  start_registry();
  // A new version replaces the old chunks.
  put(c, "T", {{"beta", "", 0}}, "ext");
  registry_->notify(c.id);
  ASSERT_TRUE(wait_for([&] { return hits(c.id, "beta") == 1; }));
  EXPECT_EQ(hits(c.id, "alpha"), 0u);
  ASSERT_TRUE(store_->documents().remove(doc).ok());
  registry_->notify(c.id);
  ASSERT_TRUE(wait_for([&] { return hits(c.id, "beta") == 0; }));
  EXPECT_EQ(registry_->chunk_count(), 0u);
  auto index = registry_->find(c.id);
  EXPECT_EQ((*index)->version(), store_->collections().get(c.id)->change_seq);
}

TEST_F(IndexRegistryTest, ABurstOfNotificationsCoalesces) {
  const auto c = collection("docs");
  IndexRegistryOptions options;
  options.follow_interval = std::chrono::hours(1);  // notifications only
  registry_ = std::make_unique<IndexRegistry>(*store_, pool_, options);
  ASSERT_TRUE(registry_->start().ok());
  ASSERT_TRUE(wait_for([&] { return registry_->ready(); }));
  {
    // While a search holds the index, the follower's first catch-up waits at its swap: every
    // notification meanwhile must fold into one more step.
    auto index = *registry_->find(c.id);
    auto held = index->read_lock();
    put(c, "T", {{"alpha", "", 0}});
    for (int i = 0; i < 500; ++i) registry_->notify(c.id);
  }
  ASSERT_TRUE(wait_for([&] { return hits(c.id, "alpha") == 1; }));
  EXPECT_LE(registry_->stats().follow_steps, 2u);
}

TEST_F(IndexRegistryTest, PollingPicksUpNewAndDeletedCollections) {
  start_registry();
  const auto c = collection("later");
  put(c, "T", {{"alpha", "", 0}});
  ASSERT_TRUE(wait_for([&] {
    auto index = registry_->find("later");
    return index.ok() && (*index)->chunk_count() == 1;
  }));
  ASSERT_TRUE(store_->collections().remove("later").ok());
  ASSERT_TRUE(wait_for([&] {
    auto index = registry_->find("later");
    return !index.ok() && index.error().code == Errc::not_found;
  }));
}

TEST_F(IndexRegistryTest, ACollectionThatCannotBeIndexedDoesNotHoldReadinessBack) {
  ASSERT_TRUE(store_->collections().create("odd", "klingon", "").ok());
  auto& registry = start_registry();  // waits for ready()
  EXPECT_EQ(registry.loading(), 0u);
  auto index = registry.find("odd");
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code, Errc::internal);
  EXPECT_NE(index.error().message.find("cannot be indexed"), std::string::npos);
}

TEST_F(IndexRegistryTest, NotReadyAndLoadingUntilEveryCollectionPresentAtStartHasLoaded) {
  const auto c = collection("docs");
  put(c, "T", {{"alpha", "", 0}});
  // The pool's only thread is held, so the load waits behind it.
  boost::asio::thread_pool held(1);
  std::promise<void> release;
  boost::asio::post(held, [gate = release.get_future().share()] { gate.wait(); });
  IndexRegistry registry(*store_, held, {});
  ASSERT_TRUE(registry.start().ok());
  EXPECT_FALSE(registry.ready());
  EXPECT_EQ(registry.loading(), 1u);
  auto loading = registry.find("docs");
  ASSERT_FALSE(loading.ok());
  EXPECT_EQ(loading.error().code, Errc::unavailable);
  EXPECT_EQ(loading.error().code_detail, "collection_loading");
  release.set_value();
  ASSERT_TRUE(wait_for([&] { return registry.ready(); }));
  EXPECT_TRUE(registry.find("docs").ok());
  registry.stop();
  held.join();
}

TEST_F(IndexRegistryTest, UnknownCollectionsAreNotFound) {
  start_registry();
  auto missing = registry_->find("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(IndexRegistryTest, EmbeddingsGoToTheVectorIndexOfACollectionWithAModel) {
  const auto with = collection("dense", "embed-model");
  const auto without = collection("plain");
  put(with, "T", {{"alpha", "", 0, {1, 0, 0}}, {"beta", "", 0, {0, 1, 0}}}, "e");
  put(without, "T", {{"alpha", "", 0, {1, 0, 0}}});
  start_registry();
  auto dense = registry_->find("dense");
  auto plain = registry_->find("plain");
  ASSERT_NE((*dense)->vectors(), nullptr);
  EXPECT_EQ((*dense)->vectors()->size(), 2u);
  EXPECT_EQ((*plain)->vectors(), nullptr);
  // A new version of the same content re-reads the same chunk ids: their vectors stay.
  store::NewDocument again = text_document("other body", "e");
  ASSERT_TRUE(store_->documents().put_document(with.id, again).ok());
  registry_->sync();
  EXPECT_EQ((*registry_->find("dense"))->version(), store_->collections().get(with.id)->change_seq);
  EXPECT_EQ((*registry_->find("dense"))->vectors()->size(), 2u);
  // And they survive a snapshot round trip.
  registry_->stop();
  registry_.reset();
  start_registry();
  EXPECT_EQ(registry_->stats().snapshot_loads, 2u);
  EXPECT_EQ((*registry_->find("dense"))->vectors()->size(), 2u);
}

}  // namespace
}  // namespace sluice::rag
