#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::store {

// A fresh data directory per test (removed afterwards) and a clock the test moves.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  SqliteOptions options() {
    SqliteOptions options;
    options.job_max_attempts = 3;
    options.clock = [this] { return now_.load(); };
    return options;
  }

  Store& open(SqliteOptions with) {
    store_.reset();
    auto opened = open_sqlite_store(dir_, std::move(with));
    if (!opened) throw std::runtime_error("open_sqlite_store: " + opened.error().message);
    store_ = std::move(opened.value());
    return *store_;
  }
  Store& open() { return open(options()); }

  Collection make_collection(const std::string& name = "docs") {
    auto collection = store_->collections().create(name, "english", "");
    EXPECT_TRUE(collection.ok());
    return *collection;
  }

  static NewDocument text_document(std::string body, std::string external_id = {}) {
    NewDocument doc;
    doc.external_id = std::move(external_id);
    doc.title = "Title";
    doc.source_name = "a.txt";
    doc.media_type = "text/plain";
    doc.bytes = std::move(body);
    return doc;
  }

  // Rows in `table`, read through a connection of the test's own.
  int64_t count_rows(const std::string& table) {
    sqlite::Connection connection(sqlite_path(dir_.string()), {});
    sqlite::Statement row = connection.prepare("SELECT count(*) FROM " + table);
    return row.step() ? row.int64(0) : -1;
  }

  std::filesystem::path dir_;
  std::atomic<int64_t> now_{1'000'000};
  std::unique_ptr<Store> store_;
};

}  // namespace sluice::store
