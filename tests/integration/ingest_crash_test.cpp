// Durability of ingestion: SIGKILL in the middle of ingesting 1,000 documents, a restart on the
// same data directory, and every document ends indexed exactly once.
#include <signal.h>
#include <sqlite3.h>

#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kDocuments = 1000;

// One integer from `sql` against the database in `dir`, through a connection of the test's own.
int64_t query_int(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2((dir + "/sluice.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return value;
}

std::unique_ptr<SluiceProcess> start_on(const std::string& dir, const std::string& role) {
  return start_server({{"SLUICE_STORAGE__DATA_DIR", dir},
                       {"SLUICE_RAG__WORKERS", "2"},
                       {"SLUICE_RAG__JOB_LEASE", "1s"},
                       {"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}},
                      {"--role", role});
}

int64_t chunk_count(int port) {
  return int_field(call(port, "GET", "/v1/collections/crash").body, "chunk_count");
}

TEST(IngestCrashTest, SigkillMidIngestThenRestartIndexesEveryDocumentExactlyOnce) {
  const std::string dir = make_temp_dir();
  {
    // Uploads only: the queue fills without being worked, and acknowledged uploads must survive
    // a SIGKILL too.
    auto api = start_on(dir, "api");
    ASSERT_EQ(post_json(api->port(), "/v1/collections", {{"name", "crash"}}).status, 201);
    for (int i = 0; i < kDocuments; ++i) {
      const JsonResponse accepted =
          post_json(api->port(), "/v1/collections/crash/documents",
                    {{"id", "doc-" + std::to_string(i)},
                     {"text", "Document " + std::to_string(i) + " tells of harbour number " +
                                  std::to_string(i * 7919) + "."}});
      ASSERT_EQ(accepted.status, 202) << accepted.raw;
    }
    api->signal(SIGKILL);
    ASSERT_TRUE(api->wait_exit(10s).has_value());
  }
  ASSERT_EQ(query_int(dir, "SELECT count(*) FROM jobs WHERE state = 'queued'"), kDocuments);

  int64_t at_kill = 0;
  {
    auto workers = start_on(dir, "all");
    ASSERT_TRUE(eventually(
        [&] {
          at_kill = chunk_count(workers->port());
          return at_kill >= kDocuments / 4;  // well into the run, far from its end
        },
        20s));
    workers->signal(SIGKILL);
    ASSERT_TRUE(workers->wait_exit(10s).has_value());
  }
  ASSERT_LT(at_kill, kDocuments) << "ingestion ended before the kill: nothing was interrupted";
  const int64_t unfinished =
      query_int(dir, "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')");
  EXPECT_GT(unfinished, 0);
  RecordProperty("indexed_at_kill", static_cast<int>(at_kill));
  RecordProperty("unfinished_at_kill", static_cast<int>(unfinished));

  auto restarted = start_on(dir, "all");
  ASSERT_TRUE(eventually(
      [&] {
        return query_int(dir, "SELECT count(*) FROM jobs WHERE state = 'succeeded'") == kDocuments;
      },
      60s))
      << "succeeded: " << query_int(dir, "SELECT count(*) FROM jobs WHERE state = 'succeeded'");
  // Exactly once: one chunk per document, none missing, none duplicated, counters agreeing.
  EXPECT_EQ(chunk_count(restarted->port()), kDocuments);
  EXPECT_EQ(query_int(dir, "SELECT count(*) FROM chunks"), kDocuments);
  EXPECT_EQ(query_int(dir, "SELECT count(DISTINCT document_id) FROM chunks"), kDocuments);
  EXPECT_EQ(query_int(dir, "SELECT count(*) FROM documents WHERE status = 'indexed'"), kDocuments);
  EXPECT_EQ(query_int(dir, "SELECT count(*) FROM jobs"), kDocuments);
  const JsonResponse doc = call(restarted->port(), "GET", "/v1/collections/crash/documents/doc-7");
  EXPECT_EQ(int_field(doc.body, "chunk_count"), 1) << doc.raw;
  EXPECT_EQ(int_field(doc.body, "version"), 1);
}

}  // namespace
}  // namespace sluice::testing
