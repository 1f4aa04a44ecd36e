#include "store/sqlite/database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class DatabaseTest : public StoreTest {
 protected:
  // A database with `schema` whose write transactions (BEGIN IMMEDIATE) are counted in `begins`,
  // from zero once the schema is in.
  std::unique_ptr<sqlite::Database> counting_write_transactions(std::atomic<int>& begins,
                                                                const char* schema) {
    sqlite::ConnectionOptions options;
    options.on_statement = [&begins](std::string_view sql, int64_t) {
      if (sql == "BEGIN IMMEDIATE") ++begins;
    };
    auto db = std::make_unique<sqlite::Database>(sqlite_path(dir_.string()), 1, options);
    EXPECT_TRUE(db->write([schema](sqlite::Connection& c) -> Status {
                    c.exec(schema);
                    return Status::success();
                  }).ok());
    begins = 0;
    return db;
  }
};

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

// The writes that queue while one commits form the next group: one transaction, in which a
// write that fails (an error returned, SQLite's or anything thrown) undoes only its own changes
// and its caller alone hears of it.
TEST_F(DatabaseTest, WritesQueuedBehindACommitCommitTogetherEachWithItsOwnOutcome) {
  std::atomic<int> begins{0};
  auto owned = counting_write_transactions(begins, "CREATE TABLE t (x INTEGER UNIQUE)");
  sqlite::Database& db = *owned;
  auto insert = [&](int x) {
    return db.write([x](sqlite::Connection& c) -> Status {
      c.prepare("INSERT INTO t VALUES (?1)").bind_all(x).run();
      if (x % 4 == 1) return make_error(Errc::conflict, "refused " + std::to_string(x));
      if (x % 4 == 2) c.prepare("INSERT INTO t VALUES (?1)").bind_all(x).run();  // unique: throws
      if (x % 4 == 3) throw std::runtime_error("thrown " + std::to_string(x));
      return Status::success();
    });
  };
  constexpr int kQueued = 12;
  std::vector<Status> outcomes(kQueued + 1);
  std::vector<std::string> thrown(kQueued + 1);
  std::vector<std::thread> writers;
  // The first write holds the writer until every other is queued behind it.
  writers.emplace_back([&] {
    outcomes[0] = db.write([&](sqlite::Connection& c) -> Status {
      while (db.queued_writes() < kQueued) std::this_thread::yield();
      c.exec("INSERT INTO t VALUES (100)");
      return Status::success();
    });
  });
  while (begins.load() == 0) std::this_thread::yield();
  for (int x = 1; x <= kQueued; ++x)
    writers.emplace_back([&, x] {
      try {
        outcomes[x] = insert(x);
      } catch (const std::runtime_error& e) {
        thrown[x] = e.what();
      }
    });
  for (auto& writer : writers) writer.join();

  EXPECT_EQ(begins.load(), 2);  // the first write's transaction, then the group's
  EXPECT_TRUE(outcomes[0].ok());
  std::vector<int> expected{100};
  for (int x = 1; x <= kQueued; ++x) {
    switch (x % 4) {
      case 0:
        EXPECT_TRUE(outcomes[x].ok()) << x;
        expected.push_back(x);
        break;
      case 1:
        EXPECT_EQ(outcomes[x].error().message, "refused " + std::to_string(x));
        break;
      case 2:
        EXPECT_EQ(outcomes[x].error().code, Errc::conflict) << x;
        break;
      case 3:
        EXPECT_EQ(thrown[x], "thrown " + std::to_string(x));
        break;
    }
  }
  auto rows = db.read([](sqlite::Connection& c) -> Result<std::vector<int>> {
    sqlite::Statement row = c.prepare("SELECT x FROM t ORDER BY x");
    std::vector<int> xs;
    while (row.step()) xs.push_back(row.int32(0));
    return xs;
  });
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*rows, expected);
}

// A batch's writes commit in one transaction at its end; one that fails undoes only itself; a
// failed commit leaves nothing of the batch.
TEST_F(DatabaseTest, ABatchCommitsItsWritesAtItsEndOrNoneOfThem) {
  std::atomic<int> begins{0};
  auto owned = counting_write_transactions(begins,
                                           "CREATE TABLE t (x INTEGER UNIQUE);"
                                           "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                                           "CREATE TABLE child (parent_id INTEGER REFERENCES "
                                           "parent(id) DEFERRABLE INITIALLY DEFERRED);");
  sqlite::Database& db = *owned;
  auto insert = [&](int x) {
    return db.write([x](sqlite::Connection& c) -> Status {
      c.prepare("INSERT INTO t VALUES (?1)").bind_all(x).run();
      return Status::success();
    });
  };
  auto count = [&] {
    return *db.read([](sqlite::Connection& c) -> Result<int64_t> {
      sqlite::Statement row = c.prepare("SELECT count(*) FROM t");
      return row.step() ? row.int64(0) : -1;
    });
  };
  Status first, duplicate, second;
  const Status batched = db.batch([&] {
    first = insert(1);
    duplicate = insert(1);
    second = insert(2);
    EXPECT_EQ(count(), 0);  // nothing committed yet
  });
  EXPECT_TRUE(batched.ok());
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(duplicate.error().code, Errc::conflict);
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(begins.load(), 1);
  EXPECT_EQ(count(), 2);

  // The child's missing parent fails the commit itself (a deferred foreign key).
  const Status failed = db.batch([&] {
    EXPECT_TRUE(insert(3).ok());
    EXPECT_TRUE(db.write([](sqlite::Connection& c) -> Status {
                    c.exec("INSERT INTO child VALUES (42)");
                    return Status::success();
                  }).ok());
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(count(), 2);
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
        auto indexed = store.documents().replace_chunks((*job)->document_id,
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
