#pragma once
// Ingestion tests: a real SQLite store in a temp directory, a fake embedder, and a way to run a
// coroutine to its end on an event loop of the test's own.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../store/sqlite/store_fixture.hpp"
#include "rag/embedder.hpp"

namespace sluice::rag {

// One vector per text: {bytes, 1}; fails `failures` calls first. Counts its calls.
class FakeEmbedder final : public Embedder {
 public:
  boost::asio::awaitable<Result<std::vector<std::vector<float>>>> embed(
      std::string_view model, std::span<const std::string> texts) override {
    ++calls;
    last_model = std::string(model);
    if (failures > 0) {
      --failures;
      co_return make_error(Errc::bad_gateway, "embeddings upstream answered 502");
    }
    std::vector<std::vector<float>> vectors;
    for (const std::string& text : texts) vectors.push_back({static_cast<float>(text.size()), 1});
    co_return vectors;
  }
  int failures = 0;
  int calls = 0;
  std::string last_model;
};

class IngestTest : public store::StoreTest {
 protected:
  void SetUp() override {
    store::StoreTest::SetUp();
    open();
    loop_ = std::thread([this] { io_.run(); });
  }
  // One loop for the whole test: blocking-pool completions may still reach it briefly after the
  // awaiting coroutine ended, so it must not be destroyed (and its address reused) in between.
  void TearDown() override {
    guard_.reset();
    io_.stop();
    loop_.join();
    store::StoreTest::TearDown();
  }

  // Runs `task` on the test's loop until it ends (its blocking-pool calls resume there).
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    // co_spawn needs a default-constructible result (a Result<T> is not): carried in an optional.
    auto wrapped = [](boost::asio::awaitable<T> inner) -> boost::asio::awaitable<std::optional<T>> {
      co_return std::optional<T>(co_await std::move(inner));
    };
    return *boost::asio::co_spawn(io_, wrapped(std::move(task)), boost::asio::use_future).get();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
      boost::asio::make_work_guard(io_);
  std::thread loop_;

  store::PutOutcome put(const std::string& collection_id, std::string body,
                        std::string media_type = "text/markdown", std::string external_id = {}) {
    store::NewDocument doc = text_document(std::move(body), std::move(external_id));
    doc.media_type = std::move(media_type);
    auto outcome = store_->documents().put_document(collection_id, doc);
    if (!outcome) throw std::runtime_error(outcome.error().message);
    return *std::move(outcome);
  }

  store::Job lease_job() {
    auto job = store_->jobs().lease("test", 60'000, now_.load());
    if (!job || !job->has_value()) throw std::runtime_error("no job to lease");
    return **job;
  }
};

}  // namespace sluice::rag
