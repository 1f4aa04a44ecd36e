#include "ops/trace_exporter.hpp"

#include "ops/logger.hpp"

namespace sluice::ops {

using Clock = std::chrono::steady_clock;

TraceExporter::TraceExporter(SpanQueue& queue, TraceResource resource, ExportOptions options,
                             SpanSender& sender, TraceMetrics& metrics)
    : queue_(queue),
      resource_(std::move(resource)),
      options_(options),
      sender_(sender),
      metrics_(metrics) {}

TraceExporter::~TraceExporter() {
  if (thread_.joinable()) stop(std::chrono::milliseconds(0));
}

void TraceExporter::start() {
  thread_ = std::thread([this] { run(); });
}

void TraceExporter::stop(std::chrono::milliseconds budget) {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
    stop_deadline_ = Clock::now() + budget;
  }
  stop_signal_.notify_all();
  queue_.close();
  if (!thread_.joinable()) return;
  bool finished;
  {
    std::unique_lock lock(stop_mutex_);
    finished = stop_signal_.wait_until(lock, stop_deadline_, [this] { return finished_; });
  }
  if (!finished) sender_.cancel();
  thread_.join();
}

bool TraceExporter::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(stop_mutex_);
  return !stop_signal_.wait_for(lock, delay, [this] { return stopping_; });
}

std::size_t TraceExporter::export_batch(Clock::time_point deadline, bool retry,
                                        Clock::time_point send_deadline) {
  std::vector<Span> batch = queue_.pop(options_.batch_size, deadline);
  if (batch.empty()) return 0;
  const std::string body = encode_export_request(resource_, batch);
  const auto started = Clock::now();
  SpanSender::Delivery result = sender_.send(body, send_deadline);
  auto backoff = options_.retry_backoff;
  for (int tries = 0; retry && result == SpanSender::Delivery::retriable &&
                      tries < options_.max_retries && pause(backoff);
       ++tries, backoff *= 2)
    result = sender_.send(body, send_deadline);
  metrics_.export_duration.observe({},
                                   std::chrono::duration<double>(Clock::now() - started).count());
  const auto count = static_cast<double>(batch.size());
  if (result == SpanSender::Delivery::ok) {
    metrics_.exported.inc({}, count);
    if (failing_) logger().info("trace export recovered", {{"key", "tracing.endpoint"}});
    failing_ = false;
  } else {
    metrics_.dropped.inc({"export_failed"}, count);
    if (!failing_)
      logger().warn(
          "trace export failed: spans are dropped until the collector answers",
          {{"key", "tracing.endpoint"},
           {"reason", result == SpanSender::Delivery::rejected ? "rejected" : "unreachable"}});
    failing_ = true;
  }
  return batch.size();
}

void TraceExporter::run() {
  while (!queue_.closed()) export_batch(Clock::now() + options_.batch_delay);
  // Stopping: what the event loops flushed last, one try per batch, within the budget.
  Clock::time_point deadline;
  {
    std::lock_guard lock(stop_mutex_);
    deadline = stop_deadline_;
  }
  while (Clock::now() < deadline && export_batch(Clock::now(), false, deadline) > 0) {
  }
  if (const std::size_t left = queue_.size(); left > 0) {
    std::vector<Span> rest = queue_.pop(left, Clock::now());
    metrics_.dropped.inc({"shutdown"}, static_cast<double>(rest.size()));
  }
  sender_.close();
  {
    std::lock_guard lock(stop_mutex_);
    finished_ = true;
  }
  stop_signal_.notify_all();
}

}  // namespace sluice::ops
