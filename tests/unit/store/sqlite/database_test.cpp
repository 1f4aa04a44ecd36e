#include "store/sqlite/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class DatabaseTest : public StoreTest {};

TEST_F(DatabaseTest, AFailedWriteRollsBackWhole) {
  sqlite::ConnectionOptions options;
  sqlite::Database db(sqlite_path(dir_.string()), 1, options);
  ASSERT_TRUE(db.write([](sqlite::Connection& c) -> Status {
                  c.exec("CREATE TABLE t (x INTEGER UNIQUE)");
                  return Status::success();
                }).ok());
  const Status refused = db.write([](sqlite::Connection& c) -> Status {
    c.exec("INSERT INTO t VALUES (1)");
    return make_error(Errc::conflict, "changed my mind");
  });
  EXPECT_EQ(refused.error().code, Errc::conflict);
  const Status failed = db.write([](sqlite::Connection& c) -> Status {
    c.exec("INSERT INTO t VALUES (2)");
    c.exec("INSERT INTO t VALUES (2)");  // unique violation: throws
    return Status::success();
  });
  EXPECT_EQ(failed.error().code, Errc::conflict);
  auto rows = db.read([](sqlite::Connection& c) -> Result<int64_t> {
    sqlite::Statement row = c.prepare("SELECT count(*) FROM t");
    return row.step() ? row.int64(0) : -1;
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 0);
}

TEST_F(DatabaseTest, AStatementReusedWhileSteppingIsRefused) {
  sqlite::ConnectionOptions options;
  options.create = true;
  sqlite::Connection connection(sqlite_path(dir_.string()), options);
  connection.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
  sqlite::Statement outer = connection.prepare("SELECT x FROM t");
  ASSERT_TRUE(outer.step());
  EXPECT_THROW(connection.prepare("SELECT x FROM t"), sqlite::SqliteError);
}

// Writers, readers and workers at once on a small read pool: every call succeeds (no
// SQLITE_BUSY reaches a caller) and the counters add up.
TEST_F(DatabaseTest, ConcurrentWritersReadersAndWorkersNeverSeeBusy) {
  SqliteOptions with = options();
  with.reader_connections = 2;
  Store& store = open(std::move(with));
  const Collection collection = make_collection();
  constexpr int kWriters = 3;
  constexpr int kDocsPerWriter = 40;
  std::atomic<int> errors{0};
  std::atomic<bool> writing{true};
  std::atomic<int> completed{0};
  auto count_error = [&](const Error& error) {
    ADD_FAILURE() << error.message;
    ++errors;
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      for (int i = 0; i < kDocsPerWriter; ++i) {
        auto put = store.documents().put_document(
            collection.id,
            text_document("writer " + std::to_string(w) + " doc " + std::to_string(i)));
        if (!put) count_error(put.error());
      }
    });
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&] {
      while (writing.load()) {
        auto page = store.documents().list(collection.id, "", 50);
        if (!page) count_error(page.error());
        auto counts = store.jobs().counts();
        if (!counts) count_error(counts.error());
        if (Status check = store.check(); !check) count_error(check.error());
      }
    });
  for (int k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      const std::string owner = "worker-" + std::to_string(k);
      while (completed.load() < kWriters * kDocsPerWriter) {
        auto job = store.jobs().lease(owner, 60'000, now_.load());
        if (!job) {
          count_error(job.error());
          return;
        }
        if (!job->has_value()) {
          std::this_thread::yield();
          continue;
        }
        Chunk chunk;
        chunk.text = "chunk";
        Status indexed = store.documents().replace_chunks((*job)->document_id,
                                                          (*job)->document_version, {chunk});
        if (!indexed) count_error(indexed.error());
        Status done = store.jobs().complete((*job)->id, owner);
        if (!done) count_error(done.error());
        ++completed;
      }
    });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writing = false;
  for (std::size_t t = kWriters; t < threads.size(); ++t) threads[t].join();

  EXPECT_EQ(errors.load(), 0);
  auto final_collection = store.collections().get(collection.id);
  EXPECT_EQ(final_collection->document_count, kWriters * kDocsPerWriter);
  EXPECT_EQ(final_collection->chunk_count, kWriters * kDocsPerWriter);
  EXPECT_EQ(store.jobs().counts()->succeeded, kWriters * kDocsPerWriter);
}

}  // namespace
}  // namespace sluice::store
