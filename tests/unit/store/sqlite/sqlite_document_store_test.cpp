#include "store/sqlite/sqlite_document_store.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class DocumentStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
    collection_ = make_collection();
  }
  DocumentStore& documents() { return store_->documents(); }
  int64_t change_seq() { return store_->collections().get(collection_.id)->change_seq; }
  PutOutcome put(std::string body, std::string external_id = {}) {
    auto outcome = documents().put_document(collection_.id, text_document(body, external_id));
    if (!outcome) throw std::runtime_error(outcome.error().message);
    return *std::move(outcome);
  }
  static std::vector<Chunk> chunks(const std::vector<std::string>& texts) {
    std::vector<Chunk> out;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      Chunk chunk;
      chunk.ordinal = static_cast<int>(i);
      chunk.text = texts[i];
      chunk.heading_path = "A > B";
      chunk.page = 2;
      chunk.token_count = 3;
      chunk.embedding = {0.5f, -1.25f, static_cast<float>(i)};
      out.push_back(chunk);
    }
    return out;
  }
  Collection collection_;
};

TEST_F(DocumentStoreTest, PutStoresTheDocumentItsBodyAndAQueuedJob) {
  NewDocument in = text_document(std::string("hello\0world", 11), "ext-1");
  in.metadata_json = R"({"lang":"en"})";
  in.tags = {"a", "b \"quoted\""};
  auto put = documents().put_document(collection_.id, in);
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_TRUE(put->created);
  const Document& doc = put->doc;
  EXPECT_TRUE(doc.id.starts_with("doc_"));
  EXPECT_EQ(doc.version, 1);
  EXPECT_EQ(doc.status, "pending");
  EXPECT_EQ(doc.bytes, 11);
  // sha256("hello\0world")
  EXPECT_EQ(doc.content_hash.size(), 64u);

  auto got = documents().get(doc.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->external_id, "ext-1");
  EXPECT_EQ(got->metadata_json, R"({"lang":"en"})");
  EXPECT_EQ(got->tags, in.tags);
  EXPECT_EQ(got->content_hash, doc.content_hash);
  auto body = documents().body(doc.id);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->bytes, in.bytes);
  EXPECT_EQ(body->version, doc.version);
  EXPECT_EQ(body->media_type, doc.media_type);
  EXPECT_EQ(body->source_name, doc.source_name);

  auto job = store_->jobs().get(put->job_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, "queued");
  EXPECT_EQ(job->document_id, doc.id);
  EXPECT_EQ(job->document_version, 1);
  EXPECT_EQ(job->max_attempts, 3);
  auto collection = store_->collections().get(collection_.id);
  EXPECT_EQ(collection->document_count, 1);
  EXPECT_EQ(collection->change_seq, 1);
}

TEST_F(DocumentStoreTest, PutIntoAMissingCollectionIsNotFound) {
  auto put = documents().put_document("col_missing", text_document("x"));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, Errc::not_found);
}

TEST_F(DocumentStoreTest, IdenticalContentIsAnIdempotentNoOp) {
  const PutOutcome first = put("same body");
  const PutOutcome again = put("same body");
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.doc.id, first.doc.id);
  EXPECT_EQ(again.job_id, first.job_id);
  const PutOutcome by_id = put("body with an id", "ext");
  const PutOutcome by_id_again = put("body with an id", "ext");
  EXPECT_FALSE(by_id_again.created);
  EXPECT_EQ(by_id_again.doc.id, by_id.doc.id);
  EXPECT_EQ(store_->collections().get(collection_.id)->document_count, 2);
  EXPECT_EQ(store_->jobs().counts()->queued, 2);
}

TEST_F(DocumentStoreTest, ChangedContentUnderTheSameExternalIdIsANewVersion) {
  const PutOutcome v1 = put("first", "ext");
  ASSERT_TRUE(documents().replace_chunks(v1.doc.id, 1, chunks({"old"})).ok());
  const int64_t seq_before = change_seq();
  now_ += 5000;
  const PutOutcome v2 = put("second", "ext");
  EXPECT_TRUE(v2.created);
  EXPECT_EQ(v2.doc.id, v1.doc.id);
  EXPECT_EQ(v2.doc.version, 2);
  EXPECT_EQ(v2.doc.status, "pending");
  EXPECT_EQ(v2.doc.created_at_ms, v1.doc.created_at_ms);
  EXPECT_EQ(v2.doc.updated_at_ms, now_.load());
  EXPECT_NE(v2.job_id, v1.job_id);
  EXPECT_GT(change_seq(), seq_before);
  EXPECT_EQ(documents().body(v1.doc.id)->bytes, "second");
  EXPECT_EQ(documents().body(v1.doc.id)->version, 2);
  // The old chunks stay searchable until the new version's commit.
  auto old_chunks = documents().chunks_of(v1.doc.id);
  ASSERT_EQ(old_chunks->size(), 1u);
  EXPECT_EQ((*old_chunks)[0].text, "old");
  EXPECT_EQ(store_->jobs().get(v2.job_id)->document_version, 2);
  EXPECT_EQ(store_->collections().get(collection_.id)->document_count, 1);
}

TEST_F(DocumentStoreTest, ANewVersionCancelsTheOldVersionsPendingJob) {
  const PutOutcome v1 = put("first", "ext");
  put("second", "ext");
  auto old_job = store_->jobs().get(v1.job_id);
  EXPECT_EQ(old_job->state, "cancelled");
  EXPECT_EQ(old_job->last_error, "superseded by version 2");
}

TEST_F(DocumentStoreTest, ReplaceChunksSwapsAtomicallyAndRefusesAStaleVersion) {
  const PutOutcome v1 = put("first", "ext");
  ASSERT_TRUE(documents().replace_chunks(v1.doc.id, 1, chunks({"a", "b", "c"})).ok());
  EXPECT_EQ(documents().get(v1.doc.id)->status, "indexed");
  EXPECT_EQ(store_->collections().get(collection_.id)->chunk_count, 3);
  put("second", "ext");
  const int64_t seq = change_seq();
  const auto stale = documents().replace_chunks(v1.doc.id, 1, chunks({"stale"}));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::conflict);
  EXPECT_EQ(change_seq(), seq);
  EXPECT_EQ(documents().chunks_of(v1.doc.id)->size(), 3u);

  ASSERT_TRUE(documents().replace_chunks(v1.doc.id, 2, chunks({"x", "y"})).ok());
  // Running the same ingest again replaces, never duplicates.
  ASSERT_TRUE(documents().replace_chunks(v1.doc.id, 2, chunks({"x", "y"})).ok());
  auto current = documents().chunks_of(v1.doc.id);
  ASSERT_EQ(current->size(), 2u);
  EXPECT_EQ((*current)[0].text, "x");
  EXPECT_EQ((*current)[1].text, "y");
  EXPECT_EQ((*current)[1].collection_id, collection_.id);
  EXPECT_EQ((*current)[1].heading_path, "A > B");
  EXPECT_EQ((*current)[1].page, 2);
  EXPECT_EQ((*current)[1].embedding, (std::vector<float>{0.5f, -1.25f, 1.0f}));
  EXPECT_EQ(store_->collections().get(collection_.id)->chunk_count, 2);
  EXPECT_EQ(count_rows("chunks"), 2);
  EXPECT_EQ(documents().replace_chunks("doc_missing", 1, {}).error().code, Errc::not_found);
}

// What replace_chunks returns is what reading the document back finds: the index follower of
// this process applies it instead of a read.
TEST_F(DocumentStoreTest, ReplaceChunksReturnsWhatAReadBackFinds) {
  NewDocument upload = text_document("returned", "ext-r");
  upload.title = "stem";
  upload.title_given = false;
  upload.metadata_json = R"({"k":1})";
  upload.tags = {"a", "b"};
  auto put = documents().put_document(collection_.id, upload);
  ASSERT_TRUE(put.ok());
  ASSERT_TRUE(documents().replace_chunks(put->doc.id, 1, chunks({"old"})).ok());
  std::vector<Chunk> given = chunks({"x", "y", "z"});
  std::swap(given[0], given[2]);  // handed over out of order: read back by ordinal
  auto returned = documents().replace_chunks(put->doc.id, 1, given, "Found Title");
  ASSERT_TRUE(returned.ok());

  auto doc = documents().get(put->doc.id);
  ASSERT_TRUE(doc.ok());
  const Document& held = returned->doc;
  EXPECT_EQ(held.id, doc->id);
  EXPECT_EQ(held.collection_id, doc->collection_id);
  EXPECT_EQ(held.external_id, doc->external_id);
  EXPECT_EQ(held.title, "Found Title");
  EXPECT_EQ(held.title, doc->title);
  EXPECT_EQ(held.status, doc->status);
  EXPECT_EQ(held.version, doc->version);
  EXPECT_EQ(held.metadata_json, doc->metadata_json);
  EXPECT_EQ(held.tags, doc->tags);
  EXPECT_EQ(held.chunk_count, doc->chunk_count);
  EXPECT_EQ(returned->change_seq, change_seq());
  auto changes = documents().changes_since(collection_.id, 0, 10);
  ASSERT_EQ(changes->changes.size(), 1u);
  EXPECT_EQ(changes->changes[0].change_seq, returned->change_seq);

  auto read = documents().chunks_of(put->doc.id);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(returned->chunks.size(), read->size());
  for (std::size_t i = 0; i < read->size(); ++i) {
    const Chunk& a = returned->chunks[i];
    const Chunk& b = (*read)[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.document_id, b.document_id);
    EXPECT_EQ(a.collection_id, b.collection_id);
    EXPECT_EQ(a.ordinal, b.ordinal);
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.heading_path, b.heading_path);
    EXPECT_EQ(a.page, b.page);
    EXPECT_EQ(a.token_count, b.token_count);
    EXPECT_EQ(a.embedding, b.embedding);
  }
  EXPECT_EQ((*read)[0].text, "x");
}

// The title found in the content replaces a stand-in title (the file name), never one the
// upload named.
TEST_F(DocumentStoreTest, ReplaceChunksTakesTheFoundTitleOnlyInPlaceOfAStandIn) {
  NewDocument unnamed = text_document("unnamed");
  unnamed.title = "report";  // the file's stem
  unnamed.title_given = false;
  auto stand_in = documents().put_document(collection_.id, unnamed);
  const PutOutcome named = put("named");  // titled "Title" by its upload
  ASSERT_TRUE(stand_in.ok());
  ASSERT_TRUE(documents().replace_chunks(stand_in->doc.id, 1, chunks({"a"}), "").ok());
  EXPECT_EQ(documents().get(stand_in->doc.id)->title, "report");  // nothing found: kept
  ASSERT_TRUE(documents().replace_chunks(stand_in->doc.id, 1, chunks({"a"}), "Annual Report").ok());
  EXPECT_EQ(documents().get(stand_in->doc.id)->title, "Annual Report");
  ASSERT_TRUE(documents().replace_chunks(named.doc.id, 1, chunks({"b"}), "Found").ok());
  EXPECT_EQ(documents().get(named.doc.id)->title, "Title");
}

TEST_F(DocumentStoreTest, GetChunksReturnsTheAskedOrderAndSkipsMissingIds) {
  const PutOutcome doc = put("body");
  ASSERT_TRUE(documents().replace_chunks(doc.doc.id, 1, chunks({"a", "b", "c"})).ok());
  auto all = documents().chunks_of(doc.doc.id);
  ASSERT_EQ(all->size(), 3u);
  const int64_t a = (*all)[0].id, c = (*all)[2].id;
  auto got = documents().get_chunks({c, 999'999, a});
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].text, "c");
  EXPECT_EQ((*got)[0].heading_path, "A > B");
  EXPECT_EQ((*got)[1].text, "a");
  EXPECT_TRUE(documents().get_chunks({})->empty());
}

TEST_F(DocumentStoreTest, FindsByIdOrExternalIdWithItsChunkCountAndJob) {
  const PutOutcome doc = put("body", "client-7");
  ASSERT_TRUE(documents().replace_chunks(doc.doc.id, 1, chunks({"a", "b"})).ok());
  auto by_id = documents().find(collection_.id, doc.doc.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->chunk_count, 2);
  EXPECT_EQ(by_id->last_job_id, doc.job_id);
  auto by_external = documents().find(collection_.id, "client-7");
  ASSERT_TRUE(by_external.ok());
  EXPECT_EQ(by_external->id, doc.doc.id);
  EXPECT_EQ(documents().list(collection_.id, "", 10)->items[0].chunk_count, 2);
  const Collection other = make_collection("other");
  EXPECT_EQ(documents().find(other.id, "client-7").error().code, Errc::not_found);
  EXPECT_EQ(documents().find(collection_.id, "missing").error().code, Errc::not_found);
}

TEST_F(DocumentStoreTest, RemoveCascadesAndLeavesATombstone) {
  const PutOutcome gone = put("gone");
  const PutOutcome kept = put("kept");
  ASSERT_TRUE(documents().replace_chunks(gone.doc.id, 1, chunks({"a", "b"})).ok());
  ASSERT_TRUE(documents().replace_chunks(kept.doc.id, 1, chunks({"c"})).ok());
  const PutOutcome replaced = put("other", "ext");  // its job stays queued
  ASSERT_TRUE(documents().remove(gone.doc.id).ok());
  ASSERT_TRUE(documents().remove(replaced.doc.id).ok());

  EXPECT_EQ(documents().get(gone.doc.id).error().code, Errc::not_found);
  EXPECT_EQ(documents().body(gone.doc.id).error().code, Errc::not_found);
  EXPECT_EQ(documents().chunks_of(gone.doc.id).error().code, Errc::not_found);
  EXPECT_EQ(store_->jobs().get(replaced.job_id).error().code, Errc::not_found);
  EXPECT_EQ(count_rows("chunks"), 1);
  EXPECT_EQ(count_rows("document_bodies"), 1);
  auto collection = store_->collections().get(collection_.id);
  EXPECT_EQ(collection->document_count, 1);
  EXPECT_EQ(collection->chunk_count, 1);
  EXPECT_EQ(documents().remove(gone.doc.id).error().code, Errc::not_found);
}

// Tombstones removed before the cutoff go, oldest first and a bounded number at a time; the
// collection's removals_pruned_seq rises to the newest change pruned, never falls.
TEST_F(DocumentStoreTest, PruneTombstonesDeletesTheOldestAndRaisesTheWatermark) {
  const PutOutcome a = put("a");
  const PutOutcome b = put("b");
  const PutOutcome c = put("c");
  ASSERT_TRUE(documents().remove(a.doc.id).ok());
  const int64_t a_removed = change_seq();
  now_ += 10;
  ASSERT_TRUE(documents().remove(b.doc.id).ok());
  const int64_t b_removed = change_seq();
  now_ += 10;
  ASSERT_TRUE(documents().remove(c.doc.id).ok());
  auto removals = [&] { return documents().changes_since(collection_.id, 0, 10)->changes.size(); };
  ASSERT_EQ(removals(), 3u);

  EXPECT_EQ(*documents().prune_tombstones(now_.load(), 1), 1);  // a only: the limit
  EXPECT_EQ(store_->collections().get(collection_.id)->removals_pruned_seq, a_removed);
  EXPECT_EQ(*documents().prune_tombstones(now_.load(), 100), 1);  // b; c is not before now
  EXPECT_EQ(store_->collections().get(collection_.id)->removals_pruned_seq, b_removed);
  EXPECT_EQ(removals(), 1u);
  EXPECT_EQ(*documents().prune_tombstones(now_.load(), 100), 0);
  EXPECT_EQ(store_->collections().get(collection_.id)->removals_pruned_seq, b_removed);
}

TEST_F(DocumentStoreTest, ChangesSinceReportsUpsertsAndRemovalsInOrder) {
  const PutOutcome a = put("a");
  const PutOutcome b = put("b");
  const int64_t after_puts = change_seq();
  ASSERT_TRUE(documents().replace_chunks(a.doc.id, 1, chunks({"a"})).ok());
  ASSERT_TRUE(documents().remove(b.doc.id).ok());
  const PutOutcome c = put("c");

  auto all = documents().changes_since(collection_.id, 0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->changes.size(), 3u);  // one entry per document: its latest change
  EXPECT_EQ(all->changes[0].document_id, a.doc.id);
  EXPECT_EQ(all->changes[1].document_id, b.doc.id);
  EXPECT_EQ(all->changes[1].kind, DocumentChange::Kind::removed);
  EXPECT_EQ(all->changes[2].document_id, c.doc.id);
  EXPECT_EQ(all->changes[2].kind, DocumentChange::Kind::upserted);
  EXPECT_EQ(all->next_seq, change_seq());
  EXPECT_FALSE(all->more);

  auto later = documents().changes_since(collection_.id, after_puts, 2);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->changes.size(), 2u);
  EXPECT_TRUE(later->more);
  auto rest = documents().changes_since(collection_.id, later->next_seq, 2);
  ASSERT_EQ(rest->changes.size(), 1u);
  EXPECT_EQ(rest->changes[0].document_id, c.doc.id);
  EXPECT_FALSE(rest->more);

  auto none = documents().changes_since(collection_.id, change_seq(), 10);
  EXPECT_TRUE(none->changes.empty());
  EXPECT_EQ(none->next_seq, change_seq());
}

TEST_F(DocumentStoreTest, ListsDocumentsAndAllChunksByPage) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const PutOutcome put_one = put("doc " + std::to_string(i));
    ids.push_back(put_one.doc.id);
    ASSERT_TRUE(documents().replace_chunks(put_one.doc.id, 1, chunks({"x", "y", "z"})).ok());
  }
  std::vector<std::string> listed;
  std::string cursor;
  do {
    auto page = documents().list(collection_.id, cursor, 2);
    ASSERT_TRUE(page.ok());
    for (const auto& doc : page->items) listed.push_back(doc.id);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(listed, ids);

  std::vector<int64_t> chunk_ids;
  cursor.clear();
  do {
    auto page = documents().all_chunks(collection_.id, cursor, 4);
    ASSERT_TRUE(page.ok());
    for (const auto& chunk : page->items) chunk_ids.push_back(chunk.id);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  ASSERT_EQ(chunk_ids.size(), 15u);
  EXPECT_TRUE(std::is_sorted(chunk_ids.begin(), chunk_ids.end()));
  EXPECT_EQ(documents().list("col_missing", "", 10).error().code, Errc::not_found);
}

TEST_F(DocumentStoreTest, ChunkIdsAreNeverReused) {
  const PutOutcome doc = put("a");
  ASSERT_TRUE(documents().replace_chunks(doc.doc.id, 1, chunks({"a", "b"})).ok());
  const int64_t first_max = documents().chunks_of(doc.doc.id)->back().id;
  ASSERT_TRUE(documents().remove(doc.doc.id).ok());
  const PutOutcome next = put("b");
  ASSERT_TRUE(documents().replace_chunks(next.doc.id, 1, chunks({"c"})).ok());
  EXPECT_GT(documents().chunks_of(next.doc.id)->front().id, first_max);
}

// The work of a lookup, an idempotent re-upload and a page must not grow with the collection:
// each is an index probe (a full scan would multiply the steps by the document count).
class DocumentStoreScaleTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    SqliteOptions with = options();
    with.on_statement = [this](std::string_view, int64_t steps) {
      std::lock_guard lock(mutex_);
      steps_ += steps;
    };
    open(with);
    collection_ = make_collection();
  }
  void add_documents(int count) {
    for (int i = 0; i < count; ++i, ++added_) {
      auto put = store_->documents().put_document(
          collection_.id,
          text_document("body " + std::to_string(added_), "ext-" + std::to_string(added_)));
      ASSERT_TRUE(put.ok()) << put.error().message;
      last_id_ = put->doc.id;
    }
  }
  // The steps the store's statements took for `operation`.
  template <class F>
  int64_t steps_of(F&& operation) {
    {
      std::lock_guard lock(mutex_);
      steps_ = 0;
    }
    operation();
    std::lock_guard lock(mutex_);
    return steps_;
  }
  int64_t steps_of_lookups() {
    DocumentStore& documents = store_->documents();
    return steps_of([&] {
      EXPECT_TRUE(documents.find(collection_.id, "ext-3").ok());
      EXPECT_TRUE(documents.find(collection_.id, last_id_).ok());
      EXPECT_FALSE(documents.find(collection_.id, "absent").ok());
      auto same = documents.put_document(collection_.id, text_document("body 3", "ext-3"));
      ASSERT_TRUE(same.ok());
      EXPECT_FALSE(same->created);
      auto page = documents.list(collection_.id, "", 5);
      ASSERT_TRUE(page.ok());
      EXPECT_TRUE(documents.list(collection_.id, page->next_cursor, 5).ok());
    });
  }

  std::mutex mutex_;
  int64_t steps_ = 0;
  int added_ = 0;
  std::string last_id_;
  Collection collection_;
};

TEST_F(DocumentStoreScaleTest, LookupsReuploadsAndPagesCostTheSameInABiggerCollection) {
  add_documents(10);
  const int64_t small = steps_of_lookups();
  add_documents(400);
  const int64_t big = steps_of_lookups();
  EXPECT_GT(small, 0);
  EXPECT_LT(big, small * 3 / 2) << "small collection: " << small << " steps, big: " << big;
}

}  // namespace
}  // namespace sluice::store
