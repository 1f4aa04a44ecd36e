#include "rag/index_registry.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <fstream>
#include <future>
#include <set>

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
  // A registry that follows notifications only (no periodic poll), without snapshots.
  std::unique_ptr<IndexRegistry> notified_registry(std::size_t handoff_max_bytes = 16 << 20) {
    IndexRegistryOptions options;
    options.follow_interval = std::chrono::hours(1);
    options.handoff_max_bytes = handoff_max_bytes;
    auto registry = std::make_unique<IndexRegistry>(*store_, pool_, options);
    EXPECT_TRUE(registry->start().ok());
    EXPECT_TRUE(wait_for([&] { return registry->ready(); }));
    return registry;
  }
  // `followed`'s index of the collection is what a rebuild from the store makes.
  void expect_as_rebuilt(IndexRegistry& followed, const std::string& collection,
                         const std::vector<std::string>& queries) {
    auto rebuilt_registry = notified_registry();
    auto a = followed.find(collection);
    auto b = rebuilt_registry->find(collection);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    const CollectionIndex& got = **a;
    const CollectionIndex& want = **b;
    EXPECT_EQ(got.version(), want.version());
    EXPECT_EQ(got.chunk_count(), want.chunk_count());
    auto got_lock = got.read_lock();
    auto want_lock = want.read_lock();
    EXPECT_EQ(got.lexical().chunk_count(), want.lexical().chunk_count());
    ASSERT_EQ(got.catalog().documents.size(), want.catalog().documents.size());
    for (const auto& [id, info] : want.catalog().documents) {
      auto it = got.catalog().documents.find(id);
      ASSERT_NE(it, got.catalog().documents.end()) << id;
      EXPECT_EQ(it->second->external_id, info->external_id);
      EXPECT_EQ(it->second->title, info->title);
      EXPECT_EQ(it->second->tags, info->tags);
      EXPECT_EQ(it->second->metadata_json, info->metadata_json);
      EXPECT_EQ(it->second->chunk_ids, info->chunk_ids);
    }
    ASSERT_EQ(got.catalog().chunks.size(), want.catalog().chunks.size());
    for (const auto& [id, info] : want.catalog().chunks) {
      const ChunkInfo* chunk = got.chunk(id);
      ASSERT_NE(chunk, nullptr) << id;
      EXPECT_EQ(chunk->document->id, info.document->id);
      EXPECT_EQ(chunk->ordinal, info.ordinal);
      EXPECT_EQ(chunk->page, info.page);
      EXPECT_EQ(chunk->heading_path, info.heading_path);
    }
    // The chunks each query finds (scores may differ until removed chunks are compacted away).
    const auto found = [](const CollectionIndex& index, const std::string& query) {
      std::set<int64_t> ids;
      for (const LexicalHit& hit : index.lexical().search(index.tokenizer().terms(query), 10))
        ids.insert(hit.chunk_id);
      return ids;
    };
    for (const std::string& query : queries) {
      EXPECT_FALSE(found(want, query).empty()) << query;
      EXPECT_EQ(found(got, query), found(want, query)) << query;
    }
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
  // The notice and the 50 ms follower may both find it behind: one rebuild at least.
  ASSERT_TRUE(wait_for([&] { return registry_->stats().rebuilds >= 2; }));
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

// An ingest in this process hands what it committed to the follower, which applies it without
// reading it back; the index ends as a rebuild from the store makes it.
TEST_F(IndexRegistryTest, HandedOverVersionsApplyWithoutAReadAndMatchARebuild) {
  const auto c = collection("docs");
  put(c, "Old", {{"kept words", "Intro", 0}}, "kept");
  auto registry = notified_registry();
  put(c, "Guide", {{"the scheduler picks tasks", "Intro > CPU", 3}, {"memory pages", "", 4}},
      "ext-1", R"({"year":2024})", {"linux"});
  registry->notify(c.id, {last_ingested_});
  ASSERT_TRUE(wait_for([&] { return registry->stats().handed_over == 1; }));
  // A new version of the same document, handed over too.
  put(c, "Guide v2", {{"the planner picks paths", "Intro", 0}}, "ext-1", R"({"year":2025})");
  registry->notify(c.id, {last_ingested_});
  ASSERT_TRUE(wait_for([&] { return registry->stats().handed_over == 2; }));
  EXPECT_EQ((*registry->find(c.id))->version(), store_->collections().get(c.id)->change_seq);
  expect_as_rebuilt(*registry, c.id, {"planner", "guide", "intro", "kept", "paths"});
  registry->stop();
}

// A handed-over version that a later change overtook (here: a newer upload committed before the
// follower ran) is not applied: the follower reads the store.
TEST_F(IndexRegistryTest, AHandedOverVersionALaterChangeOvertookIsReadFromTheStore) {
  const auto c = collection("docs");
  auto registry = notified_registry();
  put(c, "T", {{"alpha", "", 0}}, "ext");
  const store::IngestedVersion first = last_ingested_;
  put(c, "T", {{"beta", "", 0}}, "ext");
  registry->notify(c.id, {first});
  ASSERT_TRUE(wait_for([&] {
    auto index = registry->find(c.id);
    return (*index)->version() == store_->collections().get(c.id)->change_seq;
  }));
  EXPECT_EQ(registry->stats().handed_over, 0u);
  auto index = registry->find(c.id);
  auto lock = (*index)->read_lock();
  EXPECT_EQ((*index)->lexical().search((*index)->tokenizer().terms("beta"), 10).size(), 1u);
  EXPECT_TRUE((*index)->lexical().search((*index)->tokenizer().terms("alpha"), 10).empty());
  lock.unlock();
  registry->stop();
}

// Past handoff_max_bytes, versions are not held: their changes are read back.
TEST_F(IndexRegistryTest, HandedOverVersionsPastTheBoundAreReadFromTheStore) {
  const auto c = collection("docs");
  auto registry = notified_registry(0);
  put(c, "T", {{"alpha", "", 0}});
  registry->notify(c.id, {last_ingested_});
  ASSERT_TRUE(wait_for([&] { return (*registry->find(c.id))->chunk_count() == 1; }));
  EXPECT_EQ(registry->stats().handed_over, 0u);
  expect_as_rebuilt(*registry, c.id, {"alpha"});
  registry->stop();
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
