#include "ops/admission_gate.hpp"

#include <algorithm>
#include <vector>

namespace sluice::ops {

AdmissionGate::AdmissionGate(std::size_t max_concurrency, std::size_t max_queue)
    : max_concurrency_(std::max<std::size_t>(max_concurrency, 1)), max_queue_(max_queue) {}

bool AdmissionGate::take_slot() {
  std::size_t current = in_flight_.load(std::memory_order_relaxed);
  while (current < max_concurrency_)
    if (in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_seq_cst))
      return true;
  return false;
}

bool AdmissionGate::try_admit() {
  // Waiters come first: a free slot then belongs to them (release() hands it over).
  if (queued_.load(std::memory_order_seq_cst) != 0) return false;
  return take_slot();
}

AdmissionGate::Verdict AdmissionGate::enter(const std::shared_ptr<Waiter>& waiter) {
  std::vector<std::shared_ptr<Waiter>> woken;
  Verdict verdict = Verdict::waiting;
  {
    std::lock_guard lock(mutex_);
    if (queued_.load(std::memory_order_relaxed) == 0 && take_slot()) return Verdict::admitted;
    if (queued_.load(std::memory_order_relaxed) >= max_queue_) {
      // Full: the newest waiter of the lowest class below the arrival makes room, if any.
      const auto lowest =
          std::find_if(queues_.begin(), queues_.end(), [](const Queue& q) { return !q.empty(); });
      if (lowest == queues_.end() ||
          lowest - queues_.begin() >= static_cast<std::ptrdiff_t>(waiter->priority))
        return Verdict::shed;
      std::shared_ptr<Waiter> evicted = std::move(lowest->back());
      lowest->pop_back();
      evicted->verdict = Verdict::shed;
      woken.push_back(std::move(evicted));
      queued_.fetch_sub(1, std::memory_order_seq_cst);
    }
    waiter->verdict = Verdict::waiting;
    queue_of(waiter->priority).push_back(waiter);
    queued_.fetch_add(1, std::memory_order_seq_cst);
    // A release may have run between the failed take_slot() and the push (it saw no waiter).
    admit_waiting(woken);
    if (waiter->verdict == Verdict::admitted) {
      verdict = Verdict::admitted;
      std::erase(woken, waiter);
    }
  }
  wake_all(woken);
  return verdict;
}

AdmissionGate::Verdict AdmissionGate::withdraw(Waiter& waiter, Verdict reason) {
  std::lock_guard lock(mutex_);
  if (waiter.verdict != Verdict::waiting) return waiter.verdict;
  Queue& queue = queue_of(waiter.priority);
  const auto it =
      std::find_if(queue.begin(), queue.end(), [&](const auto& w) { return w.get() == &waiter; });
  if (it != queue.end()) {
    queue.erase(it);
    queued_.fetch_sub(1, std::memory_order_seq_cst);
  }
  waiter.verdict = reason;
  return reason;
}

void AdmissionGate::release() {
  // Paired with enter(): either it sees this slot free, or this sees its waiter queued.
  in_flight_.fetch_sub(1, std::memory_order_seq_cst);
  if (queued_.load(std::memory_order_seq_cst) == 0) return;
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    admit_waiting(woken);
  }
  wake_all(woken);
}

void AdmissionGate::admit_waiting(std::vector<std::shared_ptr<Waiter>>& admitted) {
  for (auto queue = queues_.rbegin(); queue != queues_.rend(); ++queue) {
    while (!queue->empty()) {
      if (!take_slot()) return;
      std::shared_ptr<Waiter> next = std::move(queue->front());
      queue->pop_front();
      queued_.fetch_sub(1, std::memory_order_seq_cst);
      next->verdict = Verdict::admitted;
      admitted.push_back(std::move(next));
    }
  }
}

void AdmissionGate::wake_all(const std::vector<std::shared_ptr<Waiter>>& woken) {
  for (const auto& waiter : woken)
    if (waiter->wake) waiter->wake(waiter->verdict);
}

}  // namespace sluice::ops
