#include "store/sqlite/migrations.hpp"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_error.hpp"
#include "store_fixture.hpp"

namespace sluice::store::sqlite {
namespace {

class MigrationsTest : public StoreTest {
 protected:
  std::unique_ptr<Connection> connect() {
    ConnectionOptions options;
    options.create = true;
    return std::make_unique<Connection>(sqlite_path(dir_.string()), options);
  }
  static bool has_table(Connection& connection, const std::string& table) {
    Statement row = connection.prepare("SELECT 1 FROM sqlite_master WHERE name = ?1");
    row.bind_all(table);
    return row.step();
  }
  static int applied_steps(Connection& connection) {
    Statement row = connection.prepare("SELECT count(*) FROM schema_migrations");
    return row.step() ? row.int32(0) : -1;
  }
};

TEST_F(MigrationsTest, OpeningAnEmptyDirectoryAppliesEveryStep) {
  Store& store = open();
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_TRUE(store.check().ok());
  store_.reset();
  auto connection = connect();
  EXPECT_EQ(connection->user_version(), latest_schema_version());
  EXPECT_EQ(applied_steps(*connection), static_cast<int>(schema_migrations().size()));
  EXPECT_TRUE(has_table(*connection, "documents"));
}

TEST_F(MigrationsTest, ReopeningKeepsDataAndAppliesNothingAgain) {
  open();
  make_collection("kept");
  Store& reopened = open();
  EXPECT_TRUE(reopened.collections().get("kept").ok());
  store_.reset();
  auto connection = connect();
  EXPECT_EQ(applied_steps(*connection), static_cast<int>(schema_migrations().size()));
}

TEST_F(MigrationsTest, AppliesOnlyTheStepsNotYetApplied) {
  const Migration v1[] = {{1, "one", "CREATE TABLE a (x INTEGER);"}};
  const Migration v2[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                          {2, "two", "CREATE TABLE b (y INTEGER);"}};
  auto connection = connect();
  ASSERT_TRUE(migrate(*connection, v1, 1).ok());
  EXPECT_EQ(connection->user_version(), 1);
  // Step 1 is not run again (it would fail: table a exists).
  ASSERT_TRUE(migrate(*connection, v2, 2).ok());
  EXPECT_EQ(connection->user_version(), 2);
  EXPECT_TRUE(has_table(*connection, "b"));
  EXPECT_EQ(applied_steps(*connection), 2);
}

TEST_F(MigrationsTest, AFailingStepLeavesThePreviousVersion) {
  const Migration steps[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                             {2, "bad", "CREATE TABLE c (z INTEGER); SELECT * FROM missing;"}};
  auto connection = connect();
  const Status migrated = migrate(*connection, steps, 1);
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(connection->user_version(), 1);
  EXPECT_TRUE(has_table(*connection, "a"));
  EXPECT_FALSE(has_table(*connection, "c"));  // step 2 rolled back whole
}

// A database written at version 3 (jobs indexed by document) opens at version 4 without that
// index, and a new version of its document still cancels the old version's queued job.
TEST_F(MigrationsTest, Version4SettlesAnOlderDatabasesJobsByTheDocumentsLastJob) {
  {
    auto connection = connect();
    ASSERT_TRUE(migrate(*connection, schema_migrations().first(3), 1).ok());
    EXPECT_TRUE(has_table(*connection, "jobs_by_document"));
    connection->exec(
        "INSERT INTO collections (id, name, language, embedding_model, created_at_ms, change_seq, "
        "document_count) VALUES ('col_1', 'c', 'english', '', 1, 1, 1);"
        "INSERT INTO documents (id, collection_id, external_id, title, source_name, media_type, "
        "content_hash, bytes, version, created_at_ms, updated_at_ms, status, metadata_json, "
        "tags_json, change_seq, last_job_id) VALUES ('doc_1', 'col_1', 'ext', 't', 's.txt', "
        "'text/plain', 'hash', 3, 1, 1, 1, 'pending', '{}', '[]', 1, 'job_1');"
        "INSERT INTO document_bodies VALUES ('doc_1', 1, 'old');"
        "INSERT INTO jobs (id, kind, collection_id, document_id, document_version, state, "
        "max_attempts, run_after_ms, ready_at_ms, created_at_ms, updated_at_ms) VALUES "
        "('job_1', 'ingest', 'col_1', 'doc_1', 1, 'queued', 3, 1, 1, 1, 1);");
  }
  Store& store = open();
  EXPECT_EQ(store.schema_version(), sqlite::latest_schema_version());
  auto replaced = store.documents().put_document("col_1", text_document("new", "ext"));
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_EQ(replaced->doc.version, 2);
  EXPECT_EQ(store.jobs().get("job_1")->state, "cancelled");
  EXPECT_EQ(store.jobs().get(replaced->job_id)->state, "queued");
  ASSERT_TRUE(store.documents().remove("doc_1").ok());
  EXPECT_EQ(store.jobs().get(replaced->job_id).error().code, Errc::not_found);
  EXPECT_EQ(store.jobs().get("job_1")->state, "cancelled");  // finished jobs stay
  store_.reset();
  EXPECT_FALSE(has_table(*connect(), "jobs_by_document"));
}

TEST_F(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  open();
  store_.reset();
  const int newer = latest_schema_version() + 1;
  connect()->exec(("PRAGMA user_version=" + std::to_string(newer)).c_str());
  auto opened = open_sqlite_store(dir_.string(), options());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::unavailable);
  EXPECT_NE(opened.error().message.find("newer than this binary"), std::string::npos);
  EXPECT_NE(opened.error().message.find(std::to_string(newer)), std::string::npos);
  EXPECT_FALSE(probe_sqlite_store(dir_.string()).ok());
}

TEST_F(MigrationsTest, ProbeReportsTheVersionWithoutCreatingADatabase) {
  auto absent = probe_sqlite_store(dir_.string());
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, 0);
  EXPECT_FALSE(std::filesystem::exists(sqlite_path(dir_.string())));
  open();
  store_.reset();
  auto current = probe_sqlite_store(dir_.string());
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(*current, latest_schema_version());
  EXPECT_FALSE(std::filesystem::exists(sqlite_path(dir_.string()) + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(sqlite_path(dir_.string()) + "-shm"));
  // With the store open (its WAL in use), the probe reads through the WAL.
  open();
  auto while_open = probe_sqlite_store(dir_.string());
  ASSERT_TRUE(while_open.ok()) << while_open.error().message;
  EXPECT_EQ(*while_open, latest_schema_version());
}

TEST_F(MigrationsTest, AFileThatIsNotADatabaseIsAnError) {
  { std::ofstream(sqlite_path(dir_.string())) << "not a database, just text long enough"; }
  EXPECT_FALSE(open_sqlite_store(dir_.string(), options()).ok());
  EXPECT_FALSE(probe_sqlite_store(dir_.string()).ok());
}

}  // namespace
}  // namespace sluice::store::sqlite
