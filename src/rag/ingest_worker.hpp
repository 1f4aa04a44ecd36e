#pragma once
// Ingestion workers: coroutines on the event loops that lease jobs from the store's queue and run
// them through the IngestPipeline, with lease renewal, retries with exponential backoff, dead
// letters for documents that cannot be parsed, and a drain.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rag/ingest_metrics.hpp"
#include "rag/ingest_pipeline.hpp"
#include "store/job_retry_policy.hpp"
#include "store/store.hpp"

namespace sluice::rag {

struct IngestWorkerOptions {
  std::string owner;  // the lease owner: host:pid:n
  std::chrono::milliseconds lease{60'000};
  std::chrono::milliseconds retry_base = store::JobRetryPolicy{}.retry_base;  // see JobRetryPolicy
  std::chrono::milliseconds idle_min{50};     // idle polling backs off from here ...
  std::chrono::milliseconds idle_max{1'000};  // ... to here
  // Jobs whose chunks and ends commit in one store batch rather than a commit each.
  std::size_t batch = 8;
  // Chunks held for one store batch at most: a batch of large documents commits in parts.
  std::size_t max_held_bytes = 4 << 20;
  // Milliseconds since the Unix epoch, for leases and retry times; empty = the system clock.
  std::function<int64_t()> clock;
};

// One worker: a loop of lease, run, complete (or fail). Lives on one event loop; its methods
// other than wake() and stop() run there.
class IngestWorker {
 public:
  IngestWorker(store::Store& store, IngestPipeline& pipeline, IngestMetrics* metrics,
               IngestWorkerOptions options);

  // Leases and runs jobs one after another to their ends (completed, failed, or dead), storing
  // up to options.batch of them together; false when the queue had nothing runnable (or the
  // store could not be asked).
  boost::asio::awaitable<bool> run_once();
  // Runs jobs until stop(); idles with backoff when the queue is empty.
  boost::asio::awaitable<void> run();
  // From any thread: an idle worker looks at the queue at once / stops leasing.
  void wake();
  void stop();
  bool running() const { return running_.load(); }
  const std::string& owner() const { return options_.owner; }

 private:
  struct JobRun;

  int64_t now_ms() const;
  // Blocking: the next job, leased (none while stopping).
  Result<std::optional<store::Job>> lease_one();
  // Blocking, inside a store batch: stores a prepared job's chunks and records its end.
  void end_job(JobRun& run);
  // Ends `runs` in one store batch, then logs, counts and tells the indexes.
  boost::asio::awaitable<void> finish(std::vector<JobRun>& runs);

  store::Store& store_;
  IngestPipeline& pipeline_;
  IngestMetrics* metrics_;
  IngestWorkerOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::atomic<bool> woken_{false};
  // Set by run() on its loop: wake() posts the cancel of the idle timer there.
  std::mutex timer_mutex_;
  std::unique_ptr<boost::asio::steady_timer> idle_timer_;
};

// The process' workers; `spawn(task, n)` starts a coroutine on event loop n (modulo their
// count). Owners are `<owner_prefix>:<n>`.
class IngestWorkers {
 public:
  using Spawn = std::function<void(std::function<boost::asio::awaitable<void>()>, std::size_t)>;

  IngestWorkers(store::Store& store, IngestPipeline& pipeline, IngestMetrics* metrics, int count,
                const IngestWorkerOptions& options);

  void start(const Spawn& spawn);
  // An upload was accepted: idle workers lease at once instead of at their next poll.
  void wake();
  // Drain: no new leases; jobs in progress finish (or are abandoned with the loops, their lease
  // left to expire).
  void stop();
  // True while a worker is still in its loop (finishing a job).
  bool busy() const;

 private:
  std::vector<std::unique_ptr<IngestWorker>> workers_;
};

// host:pid, the prefix of this process' lease owners.
std::string lease_owner_prefix();

}  // namespace sluice::rag
