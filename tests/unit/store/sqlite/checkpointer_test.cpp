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

}  // namespace
}  // namespace sluice::store
