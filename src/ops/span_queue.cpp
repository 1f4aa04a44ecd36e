#include "ops/span_queue.hpp"

#include <algorithm>
#include <iterator>

namespace sluice::ops {

std::size_t SpanQueue::push(std::vector<Span>& spans) {
  std::size_t dropped = 0;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    const std::size_t room = capacity_ - std::min(capacity_, spans_.size());
    const std::size_t taken = std::min(room, spans.size());
    std::move(spans.begin(), spans.begin() + static_cast<std::ptrdiff_t>(taken),
              std::back_inserter(spans_));
    dropped = spans.size() - taken;
    wake = wanted_ > 0 && spans_.size() >= wanted_;
  }
  spans.clear();
  if (wake) ready_.notify_one();
  return dropped;
}

std::vector<Span> SpanQueue::pop(std::size_t max, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  wanted_ = max;
  ready_.wait_until(lock, deadline, [&] { return closed_ || spans_.size() >= max; });
  wanted_ = 0;
  const std::size_t taken = std::min(max, spans_.size());
  std::vector<Span> batch(
      std::make_move_iterator(spans_.begin()),
      std::make_move_iterator(spans_.begin() + static_cast<std::ptrdiff_t>(taken)));
  spans_.erase(spans_.begin(), spans_.begin() + static_cast<std::ptrdiff_t>(taken));
  return batch;
}

void SpanQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

bool SpanQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::size_t SpanQueue::size() const {
  std::lock_guard lock(mutex_);
  return spans_.size();
}

}  // namespace sluice::ops
