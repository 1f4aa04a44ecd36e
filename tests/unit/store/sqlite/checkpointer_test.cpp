#include "store/sqlite/checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store_fixture.hpp"

namespace sluice::store {
namespace {

class CheckpointerTest : public StoreTest {};

// Below SQLite's own threshold and the wake-up size, committed pages still reach the database
// file while the store stays open: the periodic checkpoint copies them.
TEST_F(CheckpointerTest, CommittedPagesReachTheDatabaseFileInTheBackground) {
  Store& store = open();
  const Collection collection = make_collection();
  const std::string db_file = sqlite_path(dir_.string());
  const auto before = std::filesystem::file_size(db_file);
  constexpr std::size_t kBody = 2 << 20;
  ASSERT_TRUE(
      store.documents().put_document(collection.id, text_document(std::string(kBody, 'x'))).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::filesystem::file_size(db_file) < before + kBody &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(std::filesystem::file_size(db_file), before + kBody);
}

// A steady writer never lets a background (PASSIVE) checkpoint copy every frame, so the WAL never
// started over and grew with everything committed (here 8 x kWakePages); the commit after each
// background checkpoint copies the rest, and the WAL stays within a few kWakePages (what the
// writer adds while the background copies: up to 3.6 x, measured with back-to-back 256 KB writes).
TEST_F(CheckpointerTest, TheWalStartsOverUnderASteadyWriter) {
  Store& store = open();
  const Collection collection = make_collection();
  constexpr std::size_t kBody = 256 << 10;
  constexpr int kWalPageBytes = 4096 + 24;
  constexpr std::size_t kWakeBytes = sqlite::Checkpointer::kWakePages * kWalPageBytes;
  const int uploads = static_cast<int>(8 * kWakeBytes / kBody);  // without a pause
  for (int i = 0; i < uploads; ++i) {
    std::string body(kBody, 'a' + i % 26);
    body += std::to_string(i);
    ASSERT_TRUE(store.documents().put_document(collection.id, text_document(body)).ok());
  }
  // The WAL file keeps its peak size (up to journal_size_limit, 64 MB).
  EXPECT_LT(std::filesystem::file_size(sqlite_path(dir_.string()) + "-wal"), 5 * kWakeBytes);
}

}  // namespace
}  // namespace sluice::store
