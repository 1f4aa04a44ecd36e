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

// Keeps a running job's lease alive (renewed every third of it) until `done`.
struct LeaseKeeper {
  explicit LeaseKeeper(asio::any_io_executor executor) : timer(executor) {}
  asio::steady_timer timer;
  bool done = false;
};

}  // namespace

milliseconds retry_delay(milliseconds base, int attempts) {
  milliseconds delay = std::max(base, milliseconds(1));
  for (int i = 1; i < attempts && delay < kMaxRetryDelay; ++i) delay *= 2;
  return std::min(delay, kMaxRetryDelay);
}

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

asio::awaitable<bool> IngestWorker::run_once() {
  const int64_t lease_ms = options_.lease.count();
  // Checked again on the pool: a stop that came while this call waited for a thread wins.
  auto leased = co_await ops::run_blocking([this, lease_ms]() -> Result<std::optional<store::Job>> {
    if (stopping_.load()) return std::optional<store::Job>();
    return store_.jobs().lease(options_.owner, lease_ms, now_ms());
  });
  if (!leased) {
    ops::logger().warn("cannot lease an ingest job", {{"error", leased.error().message}});
    co_return false;
  }
  if (!leased->has_value()) co_return false;
  const store::Job job = **leased;
  const auto started = std::chrono::steady_clock::now();

  auto keeper = std::make_shared<LeaseKeeper>(co_await asio::this_coro::executor);
  asio::co_spawn(
      keeper->timer.get_executor(),
      // Owns copies of what it uses: it may resume once more after this worker is gone.
      [&store = store_, keeper, job_id = job.id, owner = options_.owner, clock = options_.clock,
       lease_ms]() -> asio::awaitable<void> {
        while (!keeper->done) {
          co_await wait(keeper->timer, milliseconds(std::max<int64_t>(lease_ms / 3, 1)));
          if (keeper->done) break;
          const Status renewed = co_await ops::run_blocking([&] {
            return store.jobs().renew(job_id, owner, lease_ms,
                                      clock ? clock() : core::unix_milliseconds());
          });
          if (!renewed) {
            ops::logger().warn("ingest job lease lost",
                               {{"job_id", job_id}, {"error", renewed.error().message}});
            break;
          }
        }
      },
      asio::detached);

  Result<IngestOutcome> outcome = make_error(Errc::internal, "not run");
  try {
    outcome = co_await pipeline_.run(job);
  } catch (const std::exception& e) {
    outcome = make_error(Errc::internal, std::string("ingest failed: ") + e.what());
  }
  keeper->done = true;
  keeper->timer.cancel();
  co_await finish(job, outcome, started);
  co_return true;
}

asio::awaitable<void> IngestWorker::finish(const store::Job& job,
                                           const Result<IngestOutcome>& outcome,
                                           std::chrono::steady_clock::time_point started) {
  std::string_view result;
  Status recorded;
  if (outcome) {
    result = outcome->superseded ? "superseded" : "indexed";
    recorded = co_await ops::run_blocking(
        [this, &job] { return store_.jobs().complete(job.id, options_.owner); });
  } else if (outcome.error().code == Errc::unprocessable) {
    result = "dead";
    recorded = co_await ops::run_blocking([this, &job, &outcome] {
      return store_.jobs().fail_permanently(job.id, options_.owner, outcome.error().message);
    });
  } else {
    result = job.attempts >= job.max_attempts ? "dead" : "retried";
    const int64_t retry_at = now_ms() + retry_delay(options_.retry_base, job.attempts).count();
    recorded = co_await ops::run_blocking([this, &job, &outcome, retry_at] {
      return store_.jobs().fail(job.id, options_.owner, outcome.error().message, retry_at);
    });
  }
  if (!recorded)
    ops::logger().warn("cannot record the end of an ingest job",
                       {{"job_id", job.id}, {"error", recorded.error().message}});
  if (!outcome)
    ops::logger().warn("ingest job failed", {{"job_id", job.id},
                                             {"document_id", job.document_id},
                                             {"attempt", job.attempts},
                                             {"result", result},
                                             {"error", outcome.error().message}});
  if (metrics_)
    metrics_->record(result, outcome ? outcome->bytes : 0, outcome ? outcome->chunks : 0,
                     std::chrono::steady_clock::now() - started);
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
