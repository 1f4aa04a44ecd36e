#include "rag/ingest_worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>

#include "ingest_fixture.hpp"

namespace sluice::rag {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kRetryBase{1'000};

class IngestWorkerTest : public IngestTest {
 protected:
  void SetUp() override {
    IngestTest::SetUp();
    collection_ = *store_->collections().create("dense", "english", "embed-small");
    pipeline_ = std::make_unique<IngestPipeline>(*store_, &embedder_, IngestOptions{});
    metrics_ = std::make_unique<IngestMetrics>(registry_);
  }
  IngestWorkerOptions options(milliseconds idle_min = milliseconds(50)) {
    IngestWorkerOptions options;
    options.owner = "host:1:0";
    options.retry_base = kRetryBase;
    options.idle_min = idle_min;
    options.idle_max = idle_min;
    options.clock = [this] { return now_.load(); };
    return options;
  }
  store::Job job(const std::string& id) { return *store_->jobs().get(id); }
  bool rendered(const std::string& line) {
    return registry_.render().find(line) != std::string::npos;
  }

  FakeEmbedder embedder_;
  store::Collection collection_;
  std::unique_ptr<IngestPipeline> pipeline_;
  ops::Registry registry_;
  std::unique_ptr<IngestMetrics> metrics_;
};

TEST_F(IngestWorkerTest, CompletesAJobAndCountsIt) {
  IngestWorker worker(*store_, *pipeline_, metrics_.get(), options());
  EXPECT_FALSE(run(worker.run_once()));  // nothing queued
  const store::PutOutcome doc = put(collection_.id, "# Title\n\nSome text.\n");
  EXPECT_TRUE(run(worker.run_once()));
  EXPECT_EQ(job(doc.job_id).state, "succeeded");
  EXPECT_EQ(store_->documents().get(doc.doc.id)->status, "indexed");
  EXPECT_TRUE(rendered("sluice_ingest_documents_total{result=\"indexed\"} 1"));
  EXPECT_TRUE(rendered("sluice_ingest_chunks_total 1"));
  EXPECT_TRUE(rendered("sluice_ingest_duration_seconds_count 1"));
}

// A run leases jobs one at a time (a lease charges an attempt: only a job about to run takes
// one) and stores their ends `batch` at a time, instead of a commit per job; past
// max_held_bytes of chunks, the jobs done so far commit early.
TEST_F(IngestWorkerTest, StoresTheEndsOfSeveralJobsInOneTransaction) {
  std::atomic<int> writes{0};
  store::SqliteOptions counted = store::StoreTest::options();
  counted.on_statement = [&](std::string_view sql, int64_t) {
    if (sql == "BEGIN IMMEDIATE") ++writes;  // a write transaction
  };
  pipeline_.reset();
  open(std::move(counted));
  pipeline_ = std::make_unique<IngestPipeline>(*store_, &embedder_, IngestOptions{});
  std::vector<store::PutOutcome> docs;
  for (int i = 0; i < 5; ++i)
    docs.push_back(put(collection_.id, "# Doc " + std::to_string(i) + "\n\nSome text.\n"));
  IngestWorkerOptions three = options();
  three.batch = 3;
  IngestWorker worker(*store_, *pipeline_, metrics_.get(), three);
  writes = 0;
  ASSERT_TRUE(run(worker.run_once()));
  // Five leases, the lease that found the queue empty, and the ends of 3 + 2 jobs.
  EXPECT_EQ(writes.load(), 8);
  for (const store::PutOutcome& doc : docs) EXPECT_EQ(job(doc.job_id).state, "succeeded");
  EXPECT_EQ(store_->documents().get(docs[4].doc.id)->status, "indexed");
  EXPECT_EQ(job(docs[0].job_id).attempts, 1);
  EXPECT_TRUE(rendered("sluice_ingest_documents_total{result=\"indexed\"} 5"));

  for (int i = 0; i < 2; ++i) docs.push_back(put(collection_.id, "# More " + std::to_string(i)));
  three.max_held_bytes = 1;  // every job's chunks are over it: each commits on its own
  IngestWorker eager(*store_, *pipeline_, metrics_.get(), three);
  writes = 0;
  ASSERT_TRUE(run(eager.run_once()));
  EXPECT_EQ(writes.load(), 5);  // two leases and two ends, then the empty lease
  EXPECT_EQ(job(docs.back().job_id).state, "succeeded");
}

// Once a batch has committed, the change listener gets what it stored, per collection, so that
// the indexes of this process need not read it back.
TEST_F(IngestWorkerTest, HandsWhatABatchCommittedToTheChangeListener) {
  std::vector<std::pair<std::string, std::size_t>> told;
  std::vector<store::IngestedVersion> versions;
  pipeline_ = std::make_unique<IngestPipeline>(
      *store_, &embedder_, IngestOptions{},
      [&](const std::string& id, std::vector<store::IngestedVersion> ingested) {
        told.emplace_back(id, ingested.size());
        for (store::IngestedVersion& version : ingested) versions.push_back(std::move(version));
      });
  std::vector<store::PutOutcome> docs;
  for (int i = 0; i < 3; ++i)
    docs.push_back(put(collection_.id, "# Doc " + std::to_string(i) + "\n\nSome text.\n"));
  IngestWorkerOptions two = options();
  two.batch = 2;
  IngestWorker worker(*store_, *pipeline_, metrics_.get(), two);
  ASSERT_TRUE(run(worker.run_once()));
  using Told = std::vector<std::pair<std::string, std::size_t>>;
  EXPECT_EQ(told, (Told{{collection_.id, 2}, {collection_.id, 1}}));
  ASSERT_EQ(versions.size(), docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(versions[i].doc.id, docs[i].doc.id);
    auto chunks = store_->documents().chunks_of(docs[i].doc.id);
    ASSERT_EQ(versions[i].chunks.size(), chunks->size());
    EXPECT_EQ(versions[i].chunks[0].id, (*chunks)[0].id);
    EXPECT_EQ(versions[i].chunks[0].embedding, (*chunks)[0].embedding);
  }
  EXPECT_EQ(versions.back().change_seq, store_->collections().get(collection_.id)->change_seq);
}

TEST_F(IngestWorkerTest, TransientFailuresBackOffExponentiallyThenTheJobIsDead) {
  embedder_.failures = 100;
  IngestWorker worker(*store_, *pipeline_, metrics_.get(), options());
  const store::PutOutcome doc = put(collection_.id, "# Title\n\nSome text.\n");
  const int max_attempts = job(doc.job_id).max_attempts;  // 3 in the store fixture
  for (int attempt = 1; attempt < max_attempts; ++attempt) {
    ASSERT_TRUE(run(worker.run_once()));
    const store::Job failed = job(doc.job_id);
    EXPECT_EQ(failed.state, "queued");
    EXPECT_EQ(failed.attempts, attempt);
    EXPECT_NE(failed.last_error.find("502"), std::string::npos);
    const store::JobRetryPolicy policy{.max_attempts = max_attempts, .retry_base = kRetryBase};
    EXPECT_EQ(failed.run_after_ms, now_.load() + policy.retry_delay(attempt).count());
    EXPECT_FALSE(run(worker.run_once()));  // still backing off
    now_ = failed.run_after_ms;
  }
  ASSERT_TRUE(run(worker.run_once()));
  EXPECT_EQ(job(doc.job_id).state, "dead");
  EXPECT_EQ(store_->documents().get(doc.doc.id)->status, "failed");
  EXPECT_TRUE(rendered("sluice_ingest_documents_total{result=\"retried\"} 2"));
  EXPECT_TRUE(rendered("sluice_ingest_documents_total{result=\"dead\"} 1"));
}

TEST_F(IngestWorkerTest, ADocumentThatCannotBeParsedIsDeadAtOnce) {
  IngestWorker worker(*store_, *pipeline_, metrics_.get(), options());
  const store::PutOutcome doc = put(collection_.id, std::string("\x00\x01 bin", 6), "text/plain");
  ASSERT_TRUE(run(worker.run_once()));
  const store::Job dead = job(doc.job_id);
  EXPECT_EQ(dead.state, "dead");
  EXPECT_EQ(dead.attempts, 1);
  EXPECT_FALSE(dead.last_error.empty());
  EXPECT_EQ(embedder_.calls, 0);
}

// Embeds slowly: moves the test clock on, then waits long enough for several lease renewals, and
// records the job's lease expiry as the store then has it.
class SlowEmbedder final : public Embedder {
 public:
  SlowEmbedder(store::Store& store, std::atomic<int64_t>& now) : store_(store), now_(now) {}
  boost::asio::awaitable<Result<std::vector<std::vector<float>>>> embed(
      std::string_view, std::span<const std::string> texts) override {
    now_ += 10'000;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(milliseconds(200));
    co_await timer.async_wait(boost::asio::use_awaitable);
    lease_expiry_seen = store_.jobs().list("running", "", 1)->items.at(0).lease_expires_ms;
    co_return std::vector<std::vector<float>>(texts.size(), std::vector<float>{1});
  }
  int64_t lease_expiry_seen = 0;

 private:
  store::Store& store_;
  std::atomic<int64_t>& now_;
};

TEST_F(IngestWorkerTest, ALongJobKeepsRenewingItsLease) {
  SlowEmbedder slow(*store_, now_);
  IngestPipeline pipeline(*store_, &slow, IngestOptions{});
  IngestWorkerOptions renewing = options();
  renewing.lease = milliseconds(60);  // renewed every 20 ms
  IngestWorker worker(*store_, pipeline, metrics_.get(), renewing);
  const store::PutOutcome doc = put(collection_.id, "# Title\n\nSlow.\n");
  const int64_t leased_at = now_.load();
  ASSERT_TRUE(run(worker.run_once()));
  EXPECT_EQ(job(doc.job_id).state, "succeeded");
  // Renewed after the clock moved on: the first lease would have expired at leased_at + 60.
  EXPECT_EQ(slow.lease_expiry_seen, leased_at + 10'000 + 60);
}

TEST_F(IngestWorkerTest, AWakeEndsTheIdleWaitAndStopEndsTheLoop) {
  // Idle polls an hour apart: only the wake can make the worker see the upload in time.
  IngestWorker worker(*store_, *pipeline_, metrics_.get(), options(milliseconds(3'600'000)));
  auto ended = boost::asio::co_spawn(io_, worker.run(), boost::asio::use_future);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!worker.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  const store::PutOutcome doc = put(collection_.id, "# Title\n\nWoken.\n");
  worker.wake();
  while (job(doc.job_id).state != "succeeded" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(job(doc.job_id).state, "succeeded");
  worker.stop();
  EXPECT_EQ(ended.wait_until(deadline), std::future_status::ready);
  EXPECT_FALSE(worker.running());
}

}  // namespace
}  // namespace sluice::rag
