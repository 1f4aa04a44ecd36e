#include "rag/ingest_pipeline.hpp"

#include <gtest/gtest.h>

#include "ingest_fixture.hpp"

namespace sluice::rag {
namespace {

constexpr const char* kGuide =
    "# Guide\n\nIntro paragraph about the guide.\n\n## Install\n\nRun the installer.\n\n"
    "## Use\n\nOpen the app and work.\n";

class IngestPipelineTest : public IngestTest {
 protected:
  IngestPipeline pipeline(Embedder* embedder, std::size_t embed_batch = 64) {
    IngestOptions options;
    options.chunking = {.target_tokens = 8, .overlap_tokens = 0, .max_tokens = 16};
    options.embed_batch = embed_batch;
    return IngestPipeline(
        *store_, embedder, options,
        [this](const std::string& id, std::vector<store::IngestedVersion> ingested) {
          changed_.push_back(id);
          for (store::IngestedVersion& version : ingested) ingested_.push_back(std::move(version));
        });
  }
  std::vector<std::string> changed_;
  std::vector<store::IngestedVersion> ingested_;
};

TEST_F(IngestPipelineTest, StoresTheChunksOfTheDocumentAndTellsTheListener) {
  const store::Collection collection = make_collection();
  const store::PutOutcome doc = put(collection.id, kGuide);
  IngestPipeline ingest = pipeline(nullptr);
  auto outcome = run(ingest.run(lease_job()));
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_FALSE(outcome->superseded);
  EXPECT_EQ(outcome->bytes, static_cast<int64_t>(std::string(kGuide).size()));
  auto chunks = store_->documents().chunks_of(doc.doc.id);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(static_cast<int64_t>(chunks->size()), outcome->chunks);
  ASSERT_GE(chunks->size(), 3u);
  EXPECT_EQ((*chunks)[0].heading_path, "Guide");
  EXPECT_EQ(chunks->back().heading_path, "Guide > Use");
  EXPECT_TRUE(chunks->back().embedding.empty());
  EXPECT_EQ(store_->documents().get(doc.doc.id)->status, "indexed");
  EXPECT_EQ(changed_, std::vector<std::string>{collection.id});
  // The listener gets what was committed, as a read would find it.
  ASSERT_EQ(ingested_.size(), 1u);
  EXPECT_EQ(ingested_[0].doc.id, doc.doc.id);
  EXPECT_EQ(ingested_[0].change_seq, store_->collections().get(collection.id)->change_seq);
  ASSERT_EQ(ingested_[0].chunks.size(), chunks->size());
  EXPECT_EQ(ingested_[0].chunks.back().id, chunks->back().id);
  EXPECT_EQ(ingested_[0].chunks.back().text, chunks->back().text);

  // The same job again (a retry after a crash) replaces the chunks, never duplicates them.
  store::Job again = *store_->jobs().get(doc.job_id);
  ASSERT_TRUE(run(ingest.run(again)).ok());
  EXPECT_EQ(store_->documents().chunks_of(doc.doc.id)->size(), chunks->size());
}

// A collection's embedding model never changes: it is read once, not at every ingest.
TEST_F(IngestPipelineTest, ReadsACollectionsEmbeddingModelOnce) {
  int collection_reads = 0;
  store::SqliteOptions counted = store::StoreTest::options();
  counted.on_statement = [&](std::string_view sql, int64_t) {
    if (sql.find("FROM collections WHERE id = ?1 OR name = ?1") != std::string_view::npos)
      ++collection_reads;
  };
  open(std::move(counted));
  const store::Collection collection = make_collection();
  put(collection.id, kGuide);
  put(collection.id, "# Other\n\nMore text.\n");
  IngestPipeline ingest = pipeline(nullptr);
  collection_reads = 0;
  ASSERT_TRUE(run(ingest.run(lease_job())).ok());
  ASSERT_TRUE(run(ingest.run(lease_job())).ok());
  EXPECT_EQ(collection_reads, 1);
}

// An upload without a title is titled by its file name until ingestion finds the content's own
// (an HTML <title>, a Markdown heading, a PDF's Title).
TEST_F(IngestPipelineTest, TheContentsOwnTitleReplacesTheFileName) {
  const store::Collection collection = make_collection();
  store::NewDocument page = text_document(
      "<html><head><title>43.9. Errors and Messages</title></head><body><p>Raise it.</p>");
  page.media_type = "text/html";
  page.source_name = "plpgsql-errors.html";
  page.title = "plpgsql-errors";
  page.title_given = false;
  auto doc = store_->documents().put_document(collection.id, page);
  ASSERT_TRUE(doc.ok());
  IngestPipeline ingest = pipeline(nullptr);
  ASSERT_TRUE(run(ingest.run(lease_job())).ok());
  EXPECT_EQ(store_->documents().get(doc->doc.id)->title, "43.9. Errors and Messages");
}

TEST_F(IngestPipelineTest, EmbedsInBatchesWithTheCollectionsModel) {
  auto collection = store_->collections().create("dense", "english", "embed-small");
  ASSERT_TRUE(collection.ok());
  const store::PutOutcome doc = put(collection->id, kGuide);
  FakeEmbedder embedder;
  IngestPipeline ingest = pipeline(&embedder, 2);
  auto outcome = run(ingest.run(lease_job()));
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(embedder.calls, static_cast<int>((outcome->chunks + 1) / 2));
  EXPECT_EQ(embedder.last_model, "embed-small");
  auto chunks = store_->documents().chunks_of(doc.doc.id);
  ASSERT_TRUE(chunks.ok());
  for (const store::Chunk& chunk : *chunks)
    EXPECT_EQ(chunk.embedding, (std::vector<float>{static_cast<float>(chunk.text.size()), 1.0f}));
}

TEST_F(IngestPipelineTest, AnEmbeddingFailureOrAMissingEmbedderStoresNothing) {
  auto collection = store_->collections().create("dense", "english", "embed-small");
  const store::PutOutcome doc = put(collection->id, kGuide);
  const store::Job job = lease_job();
  IngestPipeline without = pipeline(nullptr);
  auto missing = run(without.run(job));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::unavailable);
  EXPECT_NE(missing.error().message.find("embed-small"), std::string::npos);

  FakeEmbedder embedder;
  embedder.failures = 1;
  IngestPipeline failing = pipeline(&embedder);
  auto failed = run(failing.run(job));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Errc::bad_gateway);
  EXPECT_TRUE(store_->documents().chunks_of(doc.doc.id)->empty());
  EXPECT_TRUE(changed_.empty());
}

TEST_F(IngestPipelineTest, ASupersededVersionWritesNothing) {
  const store::Collection collection = make_collection();
  const store::PutOutcome v1 = put(collection.id, kGuide, "text/markdown", "ext");
  const store::Job old_job = lease_job();
  put(collection.id, "# Other\n\nNew content.\n", "text/markdown", "ext");
  IngestPipeline ingest = pipeline(nullptr);
  auto outcome = run(ingest.run(old_job));
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->superseded);
  EXPECT_TRUE(store_->documents().chunks_of(v1.doc.id)->empty());

  ASSERT_TRUE(store_->documents().remove(v1.doc.id).ok());
  auto removed = run(ingest.run(old_job));
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->superseded);
}

TEST_F(IngestPipelineTest, ADocumentThatCannotBeParsedIsUnprocessable) {
  const store::Collection collection = make_collection();
  put(collection.id, std::string("\x00\x01\x02 binary", 10), "text/plain");
  IngestPipeline ingest = pipeline(nullptr);
  auto outcome = run(ingest.run(lease_job()));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, Errc::unprocessable);
}

}  // namespace
}  // namespace sluice::rag
