#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "ops/span.hpp"

namespace sluice::ops {

// Finished spans waiting for export, at most `capacity` of them: producers never wait, and what
// does not fit is dropped (and counted by the caller). Producers hand over batches (a thread's
// spans since its last flush), so the lock is taken per batch, not per span.
class SpanQueue {
 public:
  explicit SpanQueue(std::size_t capacity) : capacity_(capacity) {}

  // Moves as many of `spans` as fit (oldest first) and clears it; returns how many were dropped.
  std::size_t push(std::vector<Span>& spans);
  // Waits until `max` spans wait, `deadline` passes or the queue is closed, then takes up to
  // `max` of them (oldest first); possibly none.
  std::vector<Span> pop(std::size_t max, std::chrono::steady_clock::time_point deadline);
  // Wakes every pop() at once, now and from then on; push() still accepts spans (the last
  // ticks of the event loops), which a final pop() takes.
  void close();
  bool closed() const;
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::size_t wanted_ = 0;  // what the waiting pop() asked for: push() wakes it only then
  std::deque<Span> spans_;
  bool closed_ = false;
};

}  // namespace sluice::ops
