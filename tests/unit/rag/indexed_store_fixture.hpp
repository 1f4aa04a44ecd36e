#pragma once
// A real SQLite store in a temp directory with helpers that put documents and their chunks
// directly (as ingest workers do), for tests of the registry and the search service.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "../store/sqlite/store_fixture.hpp"
#include "rag/index_registry.hpp"

namespace sluice::rag {

struct ChunkSpec {
  std::string text;
  std::string heading_path;
  int page = 0;
  std::vector<float> embedding;
};

class IndexedStoreTest : public store::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
  }
  void TearDown() override {
    registry_.reset();
    StoreTest::TearDown();
  }

  std::string snapshot_dir() const { return (dir_ / "indexes").string(); }

  IndexRegistry& start_registry(bool snapshots = true) {
    IndexRegistryOptions options;
    if (snapshots) options.snapshot_dir = snapshot_dir();
    options.follow_interval = std::chrono::milliseconds(50);
    options.snapshot_interval = std::chrono::milliseconds(0);
    registry_ = std::make_unique<IndexRegistry>(*store_, pool_, options);
    EXPECT_TRUE(registry_->start().ok());
    wait_for([&] { return registry_->ready(); });
    return *registry_;
  }

  store::Collection collection(const std::string& name, const std::string& model = {}) {
    auto created = store_->collections().create(name, "english", model);
    if (!created) throw std::runtime_error(created.error().message);
    return *created;
  }

  // Puts a document and commits its chunks (keeping what replace_chunks returned in
  // last_ingested_); returns its id.
  std::string put(const store::Collection& c, const std::string& title,
                  const std::vector<ChunkSpec>& chunks, const std::string& external_id = {},
                  const std::string& metadata_json = "{}",
                  const std::vector<std::string>& tags = {}) {
    store::NewDocument doc = text_document(title + " body " + std::to_string(++puts_), external_id);
    doc.title = title;
    doc.metadata_json = metadata_json;
    doc.tags = tags;
    auto outcome = store_->documents().put_document(c.id, doc);
    if (!outcome) throw std::runtime_error(outcome.error().message);
    std::vector<store::Chunk> rows;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      store::Chunk chunk;
      chunk.ordinal = static_cast<int>(i);
      chunk.text = chunks[i].text;
      chunk.heading_path = chunks[i].heading_path;
      chunk.page = chunks[i].page;
      chunk.embedding = chunks[i].embedding;
      rows.push_back(chunk);
    }
    auto swapped = store_->documents().replace_chunks(outcome->doc.id, outcome->doc.version, rows);
    if (!swapped) throw std::runtime_error(swapped.error().message);
    last_ingested_ = *std::move(swapped);
    return outcome->doc.id;
  }

  // Polls `condition` for up to 10 s.
  static bool wait_for(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // Runs a coroutine to completion on an io_context of the test's own.
  template <class T>
  static T run(std::function<boost::asio::awaitable<T>()> make) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(
        io, [make]() -> boost::asio::awaitable<std::optional<T>> { co_return co_await make(); },
        boost::asio::use_future);
    io.run();
    return *future.get();
  }

  boost::asio::thread_pool pool_{2};
  std::unique_ptr<IndexRegistry> registry_;
  int puts_ = 0;
  store::IngestedVersion last_ingested_;  // what the last put() committed
};

}  // namespace sluice::rag
