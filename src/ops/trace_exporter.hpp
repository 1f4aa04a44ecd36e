#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "ops/otlp_encoder.hpp"
#include "ops/span_queue.hpp"
#include "ops/trace_metrics.hpp"

namespace sluice::ops {

// Delivers one encoded export request; blocking, called on the exporter's thread only.
class SpanSender {
 public:
  enum class Delivery {
    ok,         // the collector took the spans
    retriable,  // unreachable, timed out, or it asked to retry later (429, 502, 503, 504)
    rejected,   // it refused them for good: sending them again would not help
  };
  virtual ~SpanSender() = default;
  // Gives up at `deadline` (or sooner, at the sender's own timeout).
  virtual Delivery send(const std::string& body,
                        std::chrono::steady_clock::time_point deadline) = 0;
  // On the exporter's thread, as it ends: frees what send() kept (pooled connections).
  virtual void close() {}
  // From any thread: ends a send() in progress now and makes later ones fail at once (a
  // collector that hangs must not hold shutdown).
  virtual void cancel() {}
};

struct ExportOptions {
  std::size_t batch_size = 512;
  std::chrono::milliseconds batch_delay{1000};  // a batch goes out when full or this old
  int max_retries = 2;
  std::chrono::milliseconds retry_backoff{250};  // doubled after each retry
};

// Batches spans from the queue and sends them on a thread of its own, so that a slow or dead
// collector costs the request path nothing: the queue fills and further spans are dropped
// (counted), never waited for. A batch is retried with backoff a bounded number of times, then
// dropped.
class TraceExporter {
 public:
  TraceExporter(SpanQueue& queue, TraceResource resource, ExportOptions options, SpanSender& sender,
                TraceMetrics& metrics);
  ~TraceExporter();

  void start();
  // Closes the queue, sends what is queued (no retries) for at most `budget`, counts the rest
  // as dropped (shutdown), and joins the thread. A send still running at the end of the budget
  // is cancelled.
  void stop(std::chrono::milliseconds budget);

  // One batch: waits until batch_size spans are queued or `deadline` passes, then sends them
  // with retries. Returns how many spans it took. The thread's loop; tests call it directly.
  std::size_t export_batch(std::chrono::steady_clock::time_point deadline, bool retry = true,
                           std::chrono::steady_clock::time_point send_deadline =
                               std::chrono::steady_clock::time_point::max());

 private:
  void run();
  // Sleeps `delay`, cut short by stop(); false when stopped.
  bool pause(std::chrono::milliseconds delay);

  SpanQueue& queue_;
  const TraceResource resource_;
  const ExportOptions options_;
  SpanSender& sender_;
  TraceMetrics& metrics_;
  std::thread thread_;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  bool finished_ = false;  // run() has returned
  bool failing_ = false;   // the last batch was lost: logged once, until one goes through
  std::chrono::steady_clock::time_point stop_deadline_;
};

}  // namespace sluice::ops
