#include "rag/ingest_worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "core/clock.hpp"
#include "ops/blocking_pool.hpp"
#include "ops/logger.hpp"
#include "store/lease_renewal_policy.hpp"

namespace sluice::rag {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Waits on `timer`, returning early (without an error) when it is cancelled.
asio::awaitable<void> wait(asio::steady_timer& timer, milliseconds delay) {
  timer.expires_after(delay);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Keeps the leases of a batch's unfinished jobs alive (renewed by store::LeaseRenewalPolicy, in
// one store batch) until `done`.
struct LeaseKeeper {
  explicit LeaseKeeper(asio::any_io_executor executor) : timer(executor) {}
  asio::steady_timer timer;
  std::vector<std::string> job_ids;  // the jobs still running
  bool done = false;
};

}  // namespace

// A leased job's work so far: prepared, then stored and ended in a store batch.
struct IngestWorker::JobRun {
  store::Job job;
  std::chrono::steady_clock::time_point started;
  Result<PreparedIngest> prepared = make_error(Errc::internal, "not run");
  Result<IngestOutcome> outcome = make_error(Errc::internal, "not run");
  std::string_view result;  // indexed, superseded, retried or dead
  Status recorded;          // the job's end in the queue
  bool committed = false;   // its batch was committed
};

std::string lease_owner_prefix() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(::getpid());
}

IngestWorker::IngestWorker(store::Store& store, IngestPipeline& pipeline, IngestMetrics* metrics,
                           IngestWorkerOptions options)
    : store_(store), pipeline_(pipeline), metrics_(metrics), options_(std::move(options)) {}

int64_t IngestWorker::now_ms() const {
  return options_.clock ? options_.clock() : core::unix_milliseconds();
}

Result<std::optional<store::Job>> IngestWorker::lease_one() {
  // Checked on the pool: a stop that came while this call waited for a thread wins.
  if (stopping_.load()) return std::optional<store::Job>();
  return store_.jobs().lease(options_.owner, options_.lease.count(), now_ms());
}

asio::awaitable<bool> IngestWorker::run_once() {
  auto keeper = std::make_shared<LeaseKeeper>(co_await asio::this_coro::executor);
  // However this run ends (an exception included), the keeper stops renewing its jobs' leases:
  // a job it no longer runs must expire and be taken again.
  struct StopKeeper {
    ~StopKeeper() {
      keeper->done = true;
      keeper->timer.cancel();
    }
    std::shared_ptr<LeaseKeeper> keeper;
  } stop_keeper{keeper};
  const int64_t lease_ms = options_.lease.count();
  const store::LeaseRenewalPolicy renewal{.lease = options_.lease};
  asio::co_spawn(
      keeper->timer.get_executor(),
      // Owns copies of what it uses: it may resume once more after this worker is gone.
      [&store = store_, keeper, owner = options_.owner, clock = options_.clock, lease_ms,
       renewal]() -> asio::awaitable<void> {
        while (!keeper->done) {
          co_await wait(keeper->timer, renewal.period());
          if (keeper->done) break;
          const std::vector<std::string> ids = keeper->job_ids;
          if (ids.empty()) continue;
          std::vector<Status> renewed(ids.size());
          co_await ops::run_blocking([&] {
            const int64_t now = clock ? clock() : core::unix_milliseconds();
            const Status batched = store.batch([&] {
              for (std::size_t i = 0; i < ids.size(); ++i)
                renewed[i] = store.jobs().renew(ids[i], owner, lease_ms, now);
            });
            if (!batched) std::fill(renewed.begin(), renewed.end(), batched);
          });
          for (std::size_t i = 0; i < ids.size(); ++i) {
            if (renewed[i]) continue;
            ops::logger().warn("ingest job lease not renewed",
                               {{"job_id", ids[i]}, {"error", renewed[i].error().message}});
            // Lost (expired and taken by another owner, or gone): no use renewing it again.
            if (store::LeaseRenewalPolicy::lost(renewed[i])) std::erase(keeper->job_ids, ids[i]);
          }
        }
      },
      asio::detached);

  // Jobs are leased and prepared one at a time (a lease charges an attempt: only a job about to
  // run takes one, and an idle worker beside this one can take the next); their ends are stored
  // together, up to options.batch jobs or max_held_bytes of chunks, and the rest when the queue
  // is empty or the worker stops.
  std::vector<JobRun> runs;
  std::size_t held = 0;
  bool worked = false;
  for (;;) {
    auto leased = co_await ops::run_blocking([this] { return lease_one(); });
    if (!leased) {
      ops::logger().warn("cannot lease an ingest job", {{"error", leased.error().message}});
      break;
    }
    if (!leased->has_value()) break;
    worked = true;
    JobRun& run = runs.emplace_back();
    run.job = **std::move(leased);
    run.started = std::chrono::steady_clock::now();
    keeper->job_ids.push_back(run.job.id);
    try {
      run.prepared = co_await pipeline_.prepare(run.job);
    } catch (const std::exception& e) {
      run.prepared = make_error(Errc::internal, std::string("ingest failed: ") + e.what());
    }
    if (run.prepared) held += run.prepared->held_bytes();
    if (runs.size() >= std::max<std::size_t>(options_.batch, 1) ||
        held >= options_.max_held_bytes) {
      co_await finish(runs);
      for (const JobRun& ended : runs) std::erase(keeper->job_ids, ended.job.id);
      runs.clear();
      held = 0;
    }
  }
  // The keeper stops with this run: the jobs ended here need no removing from it.
  if (!runs.empty()) co_await finish(runs);
  co_return worked;
}

void IngestWorker::end_job(JobRun& run) {
  if (run.prepared)
    run.outcome = pipeline_.store(run.job, *run.prepared);
  else
    run.outcome = run.prepared.error();
  const store::Job& job = run.job;
  if (run.outcome) {
    run.result = run.outcome->superseded ? "superseded" : "indexed";
    run.recorded = store_.jobs().complete(job.id, options_.owner);
  } else if (run.outcome.error().code == Errc::unprocessable) {
    run.result = "dead";
    run.recorded =
        store_.jobs().fail_permanently(job.id, options_.owner, run.outcome.error().message);
  } else {
    // The store buries the job once its attempts are used up; the retry time is then unused.
    const store::JobRetryPolicy policy{.max_attempts = job.max_attempts,
                                       .retry_base = options_.retry_base};
    run.result = policy.exhausted(job.attempts) ? "dead" : "retried";
    const int64_t retry_at = now_ms() + policy.retry_delay(job.attempts).count();
    run.recorded =
        store_.jobs().fail(job.id, options_.owner, run.outcome.error().message, retry_at);
  }
}

asio::awaitable<void> IngestWorker::finish(std::vector<JobRun>& runs) {
  Status batched;
  try {
    batched = co_await ops::run_blocking([&] {
      return store_.batch([&] {
        for (JobRun& run : runs) end_job(run);
      });
    });
  } catch (const std::exception& e) {
    batched = make_error(Errc::internal, std::string("ingest batch failed: ") + e.what());
  }
  if (batched) {
    for (JobRun& run : runs) run.committed = true;
  } else {
    // Nothing of the batch was committed: the leases expire and the jobs run again.
    ops::logger().error(
        "ingest jobs' ends not stored; they run again once their leases expire",
        {{"jobs", static_cast<int>(runs.size())}, {"error", batched.error().message}});
    for (JobRun& run : runs) {
      run.result = "retried";
      run.recorded = batched;
    }
  }
  // Per collection, the versions committed here: the change listener applies them from memory.
  std::vector<std::pair<std::string_view, std::vector<store::IngestedVersion>>> changed;
  for (JobRun& run : runs) {
    const store::Job& job = run.job;
    if (!run.recorded && run.committed)
      ops::logger().warn("cannot record the end of an ingest job",
                         {{"job_id", job.id}, {"error", run.recorded.error().message}});
    if (run.committed && run.outcome && !run.outcome->superseded) {
      auto it = std::find_if(changed.begin(), changed.end(),
                             [&](const auto& entry) { return entry.first == job.collection_id; });
      if (it == changed.end()) it = changed.insert(changed.end(), {job.collection_id, {}});
      if (run.outcome->ingested) it->second.push_back(*std::move(run.outcome->ingested));
      run.outcome->ingested.reset();
    }
    if (!run.outcome)
      ops::logger().warn("ingest job failed", {{"job_id", job.id},
                                               {"document_id", job.document_id},
                                               {"attempt", job.attempts},
                                               {"result", run.result},
                                               {"error", run.outcome.error().message}});
    // Bytes and chunks count only what was stored.
    const bool stored = run.committed && run.outcome;
    if (metrics_)
      metrics_->record(run.result, stored ? run.outcome->bytes : 0,
                       stored ? run.outcome->chunks : 0,
                       std::chrono::steady_clock::now() - run.started);
  }
  for (auto& [collection_id, ingested] : changed)
    pipeline_.changed(std::string(collection_id), std::move(ingested));
}

asio::awaitable<void> IngestWorker::run() {
  running_.store(true);
  {
    std::lock_guard lock(timer_mutex_);
    if (!idle_timer_)
      idle_timer_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
  }
  milliseconds idle = options_.idle_min;
  while (!stopping_.load()) {
    bool worked = false;
    try {
      worked = co_await run_once();
    } catch (const std::exception& e) {
      ops::logger().error("ingest worker error", {{"owner", options_.owner}, {"error", e.what()}});
    }
    if (worked) {
      idle = options_.idle_min;
      continue;
    }
    if (stopping_.load()) break;
    // A wake that came while this loop was busy is seen here; a later one cancels the wait (its
    // posted cancel runs on this loop, so only once the wait has begun).
    bool woken = woken_.exchange(false);
    if (!woken) {
      co_await wait(*idle_timer_, idle);
      woken = woken_.exchange(false);
    }
    idle = woken ? options_.idle_min : std::min(idle * 2, options_.idle_max);
  }
  running_.store(false);
}

void IngestWorker::wake() {
  woken_.store(true);
  std::lock_guard lock(timer_mutex_);
  if (asio::steady_timer* timer = idle_timer_.get())
    asio::post(timer->get_executor(), [timer] { timer->cancel(); });
}

void IngestWorker::stop() {
  stopping_.store(true);
  wake();
}

IngestWorkers::IngestWorkers(store::Store& store, IngestPipeline& pipeline, IngestMetrics* metrics,
                             int count, const IngestWorkerOptions& options) {
  for (int i = 0; i < count; ++i) {
    IngestWorkerOptions own = options;
    own.owner = options.owner + ":" + std::to_string(i);
    workers_.push_back(std::make_unique<IngestWorker>(store, pipeline, metrics, std::move(own)));
  }
}

void IngestWorkers::start(const Spawn& spawn) {
  for (std::size_t i = 0; i < workers_.size(); ++i)
    spawn([worker = workers_[i].get()] { return worker->run(); }, i);
}

void IngestWorkers::wake() {
  for (auto& worker : workers_) worker->wake();
}

void IngestWorkers::stop() {
  for (auto& worker : workers_) worker->stop();
}

bool IngestWorkers::busy() const {
  return std::any_of(workers_.begin(), workers_.end(),
                     [](const auto& worker) { return worker->running(); });
}

}  // namespace sluice::rag
